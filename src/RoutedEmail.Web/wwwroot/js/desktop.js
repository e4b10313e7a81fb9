// Browser features the desktop's C# code calls through JS interop: keyboard shortcuts, page visibility and
// notifications.
window.routedEmailDesktop = {
    shortcuts: null,

    // Sends a key press to the desktop unless the focus is in a text field, a select or an open menu, where the
    // key belongs to that control.
    registerShortcuts(dotNetObject) {
        this.unregisterShortcuts();
        this.shortcuts = (event) => {
            if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
                return;
            }
            const target = event.target;
            const tag = target && target.tagName ? target.tagName.toLowerCase() : "";
            if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)
                || (target && target.closest && target.closest("[role=listbox],[role=menu],.mud-popover-open"))) {
                return;
            }
            const key = event.key.toLowerCase();
            if (key === "a" || key === "d") {
                event.preventDefault();
                dotNetObject.invokeMethodAsync("OnShortcut", key);
            }
        };
        document.addEventListener("keydown", this.shortcuts);
    },

    unregisterShortcuts() {
        if (this.shortcuts) {
            document.removeEventListener("keydown", this.shortcuts);
            this.shortcuts = null;
        }
    },

    notificationPermission() {
        return "Notification" in window ? Notification.permission : "unsupported";
    },

    async requestNotifications() {
        return "Notification" in window ? await Notification.requestPermission() : "unsupported";
    },

    // Shows a browser notification only while the tab is hidden; a visible tab shows the offer itself.
    notifyIfHidden(title, body) {
        if (document.hidden && "Notification" in window && Notification.permission === "granted") {
            const notification = new Notification(title, { body, tag: "routed-email-offer" });
            notification.onclick = () => { window.focus(); notification.close(); };
        }
    },
};
