import { Component, onWillStart, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { useBus, useService } from "@web/core/utils/hooks";

const ERROR_SOUND = "/barcodes/static/src/audio/error.mp3";

/**
 * The warehouse scanner: a full-screen client action for handhelds and tablets. Every rule is the
 * server's (stock.picking scanner_* methods): this component shows what they answer, sends them the
 * scans (keyboard-wedge scanners through Odoo's barcode service, the camera where the browser has one,
 * or typed) and plays a sound and a vibration on a refusal.
 */
export class WarehouseScanner extends Component {
    static template = "distribution_warehouse_scanner.App";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.barcode = useService("barcode");
        this.cameraSupported = isBarcodeScannerSupported();
        this.state = useState({
            screen: "home",
            types: [],
            type: null,
            tasks: [],
            picking: null,
            scan: {},
            feedback: null,
            selectedLineId: null,
            editQuantity: "",
            shortMoveId: null,
            shortQuantity: "",
            shortReason: "",
            askBackorder: false,
            counts: [],
            count: null,
            countResult: null,
        });
        useBus(this.barcode.bus, "barcode_scanned", (ev) => this.onBarcode(ev.detail.barcode));
        onWillStart(() => this.loadHome());
    }

    // ---------------------------------------------------------------------------------------------
    // Feedback
    // ---------------------------------------------------------------------------------------------
    ok(message) {
        this.state.feedback = { type: "success", message };
    }

    fail(message) {
        this.state.feedback = { type: "danger", message };
        try {
            new Audio(ERROR_SOUND).play().catch(() => {});
        } catch {
            // No audio on this device: the message and the vibration remain.
        }
        if ("vibrate" in window.navigator) {
            window.navigator.vibrate([120, 60, 120]);
        }
    }

    /** Runs a server call; a refusal (UserError) is shown, not raised. */
    async call(model, method, args) {
        try {
            return await this.orm.call(model, method, args);
        } catch (error) {
            if (error instanceof RPCError) {
                this.fail(error.data?.message || error.message);
                return undefined;
            }
            throw error;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Navigation
    // ---------------------------------------------------------------------------------------------
    async loadHome() {
        const [types, counts] = await Promise.all([
            this.call("stock.picking.type", "scanner_home", []),
            this.call("distribution.cycle.count", "scanner_list_tasks", []),
        ]);
        this.state.types = types || [];
        this.state.counts = counts || [];
        this.state.screen = "home";
    }

    async openType(type) {
        this.state.type = type;
        const tasks = await this.call("stock.picking", "scanner_task_list", [type.id]);
        this.state.tasks = tasks || [];
        this.state.screen = "tasks";
        this.state.feedback = null;
    }

    async nextTask() {
        const screen = await this.call("stock.picking", "scanner_next_task", [this.state.type.id]);
        if (screen === false) {
            this.fail(_t("No task left to take in %s.", this.state.type.name));
        } else if (screen) {
            this.showPicking(screen);
        }
    }

    async openTask(task) {
        const screen = await this.call("stock.picking", "scanner_open", [task.id]);
        if (screen) {
            this.showPicking(screen);
        }
    }

    showPicking(screen) {
        Object.assign(this.state, {
            picking: screen,
            scan: {},
            screen: "picking",
            selectedLineId: null,
            shortMoveId: null,
            askBackorder: false,
        });
        this.ok(this.hint);
    }

    async back() {
        if (this.state.screen === "picking") {
            await this.call("stock.picking", "scanner_release", [this.state.picking.id]);
            await this.openType(this.state.type);
        } else if (this.state.screen === "count") {
            await this.openCounts();
        } else if (this.state.screen === "tasks" || this.state.screen === "counts") {
            await this.loadHome();
        } else {
            window.location.href = "/odoo";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The picking screen
    // ---------------------------------------------------------------------------------------------
    get nextLine() {
        return this.state.picking?.lines.find((line) => !line.complete);
    }

    get hint() {
        const picking = this.state.picking;
        if (!picking) {
            return "";
        }
        const line = this.nextLine;
        if (!picking.lines.length) {
            return _t("Nothing is reserved yet: this transfer waits for stock.");
        }
        if (!line) {
            return _t("Everything is counted: validate.");
        }
        if (picking.flow === "receive") {
            return _t("Next: %(product)s, put in %(location)s", {
                product: line.product,
                location: line.location_dest,
            });
        }
        if (!this.state.scan.location_id || this.state.scan.location_id !== line.location_id) {
            return _t("Next: go to %(location)s", { location: line.location });
        }
        return _t("Next: %(product)s (%(done)s / %(quantity)s)", line);
    }

    /** Moves with nothing reserved yet: shown, not scannable. */
    get waitingMoves() {
        const picking = this.state.picking;
        const withLines = new Set(picking.lines.map((line) => line.move_id));
        return picking.moves.filter((move) => !withLines.has(move.id));
    }

    get isShort() {
        const picking = this.state.picking;
        return picking.moves.some((move) => {
            const done = picking.lines
                .filter((line) => line.move_id === move.id)
                .reduce((sum, line) => sum + line.done, 0);
            return done < move.demand;
        });
    }

    updateLine(line) {
        if (!line) {
            return;
        }
        const lines = this.state.picking.lines;
        const index = lines.findIndex((l) => l.id === line.id);
        if (index >= 0) {
            lines[index] = line;
        } else {
            lines.push(line);
        }
    }

    /**
     * Scans are handled one after the other, in the order they were read: each one needs what the
     * previous one answered (the location scanned, the product waiting for its lot).
     */
    onBarcode(barcode) {
        this.scanQueue = (this.scanQueue || Promise.resolve())
            .catch(() => {}) // a failed scan was reported when it failed: the next one still runs
            .then(() => this.processBarcode(barcode));
        return this.scanQueue;
    }

    async processBarcode(barcode) {
        if (this.state.screen === "count") {
            return this.onCountBarcode(barcode);
        }
        if (this.state.screen !== "picking") {
            return;
        }
        const result = await this.call("stock.picking", "scanner_scan", [
            this.state.picking.id,
            barcode,
            this.state.scan,
        ]);
        if (result) {
            this.state.scan = result.state;
            this.updateLine(result.line);
            this.ok(result.message);
        }
    }

    onManualKeydown(ev) {
        if (ev.key === "Enter" && ev.target.value) {
            const value = ev.target.value;
            ev.target.value = "";
            this.onBarcode(value);
        }
    }

    async openCamera() {
        try {
            const barcode = await scanBarcode(this.env);
            if (barcode) {
                await this.onBarcode(barcode);
            }
        } catch (error) {
            this.fail(error.message || _t("The camera could not read a barcode."));
        }
    }

    selectLine(line) {
        this.state.selectedLineId = this.state.selectedLineId === line.id ? null : line.id;
        this.state.editQuantity = String(line.done);
        this.state.shortMoveId = null;
    }

    async setQuantity(line) {
        const quantity = parseFloat(this.state.editQuantity);
        if (Number.isNaN(quantity)) {
            this.fail(_t("Type a number."));
            return;
        }
        const result = await this.call("stock.picking", "scanner_set_quantity", [line.id, quantity]);
        if (result) {
            this.updateLine(result.line);
            this.state.selectedLineId = null;
            this.ok(result.message);
        }
    }

    startShort(line) {
        this.state.shortMoveId = line.move_id;
        this.state.shortQuantity = String(line.done);
        this.state.shortReason = "";
    }

    async reportShort() {
        const quantity = parseFloat(this.state.shortQuantity);
        const screen = await this.call("stock.picking", "scanner_report_short", [
            this.state.shortMoveId,
            Number.isNaN(quantity) ? -1 : quantity,
            this.state.shortReason,
        ]);
        if (screen) {
            this.state.picking = screen;
            this.state.shortMoveId = null;
            this.state.selectedLineId = null;
            this.ok(_t("Short pick recorded."));
        }
    }

    async putInPack() {
        const result = await this.call("stock.picking", "scanner_put_in_pack", [this.state.picking.id]);
        if (result) {
            this.state.picking = result.screen;
            this.ok(result.message);
        }
    }

    async validate() {
        if (this.isShort && !this.state.askBackorder) {
            this.state.askBackorder = true;
            return;
        }
        await this.doValidate(true);
    }

    async doValidate(backorder) {
        this.state.askBackorder = false;
        const result = await this.call("stock.picking", "scanner_validate", [
            this.state.picking.id,
            backorder,
        ]);
        if (!result) {
            return;
        }
        if (!result.done) {
            this.fail(result.message);
            return;
        }
        await this.openType(this.state.type);
        this.ok(result.message);
    }

    // -----------------------------------------------------------------------------------------------
    // Cycle counts (distribution.cycle.count's scanner API): blind counts, no recorded quantity shown
    // -----------------------------------------------------------------------------------------------
    async openCounts() {
        const counts = await this.call("distribution.cycle.count", "scanner_list_tasks", []);
        this.state.counts = counts || [];
        this.state.screen = "counts";
        this.state.count = null;
    }

    async openCount(task) {
        const count = await this.call("distribution.cycle.count", "scanner_open", [task.id]);
        if (count) {
            Object.assign(this.state, { count, screen: "count", selectedLineId: null, countResult: null });
            this.ok(_t("Count %(location)s: scan each product (or its box) as you count it.", {
                location: count.location.name,
            }));
        }
    }

    updateCountLine(line) {
        const lines = this.state.count.lines;
        const index = lines.findIndex((l) => l.id === line.id);
        if (index >= 0) {
            lines[index] = line;
        } else {
            lines.push(line);
        }
    }

    async onCountBarcode(barcode) {
        const count = this.state.count;
        if (count.location.barcode && barcode === count.location.barcode) {
            this.ok(_t("You are at %s: scan the products.", count.location.name));
            return;
        }
        const line = await this.call("distribution.cycle.count", "scanner_scan", [count.task.id, barcode, 1]);
        if (line) {
            this.updateCountLine(line);
            this.ok(_t("%(product)s: %(qty)s counted.", { product: line.product, qty: line.counted_qty }));
        }
    }

    selectCountLine(line) {
        this.state.selectedLineId = this.state.selectedLineId === line.id ? null : line.id;
        this.state.editQuantity = String(line.counted_qty);
    }

    async setCountQuantity(line) {
        const quantity = parseFloat(this.state.editQuantity);
        if (Number.isNaN(quantity) || quantity < 0) {
            this.fail(_t("Type a quantity of 0 or more."));
            return;
        }
        const result = await this.call("distribution.cycle.count", "scanner_set_quantity", [line.id, quantity]);
        if (result) {
            this.updateCountLine(result);
            this.state.selectedLineId = null;
            this.ok(_t("%(product)s: %(qty)s counted.", { product: result.product, qty: result.counted_qty }));
        }
    }

    async submitCount() {
        const result = await this.call("distribution.cycle.count", "scanner_submit", [this.state.count.task.id]);
        if (!result) {
            return;
        }
        this.state.countResult = result;
        if (result.to_approve.length) {
            this.ok(_t("Submitted: %(applied)s line(s) applied, %(waiting)s waiting for approval.", {
                applied: result.applied.length,
                waiting: result.to_approve.length,
            }));
        } else {
            this.ok(_t("Submitted: %s line(s) applied.", result.applied.length));
        }
    }
}

registry.category("actions").add("distribution_warehouse_scanner.app", WarehouseScanner);
