// What every screen must offer a keyboard and a screen reader user: every
// control that takes focus is reached by Tab from the first one, and says
// its name (what QAccessible reports, through fixture.accessibleName).
.pragma library

// Visible, enabled items that take focus on Tab, in tree order.
function focusables(item, out) {
    if (!item || !item.visible || !item.enabled) return out
    if (item.activeFocusOnTab && item.width > 0 && item.height > 0) out.push(item)
    for (var i = 0; i < item.children.length; ++i) focusables(item.children[i], out)
    return out
}

function describe(item) {
    return String(item) + " '" + (item.objectName || "") + "' (" + (item.text || "") + ")"
}

// `test` is the TestCase; `root` the screen; `fixture` the runner's object.
function checkScreen(test, root, fixture, name) {
    var controls = focusables(root, [])
    test.verify(controls.length > 0, name + ": no control takes focus")
    controls[0].forceActiveFocus(Qt.TabFocusReason)
    var reached = []
    for (var i = 0; i < controls.length * 2 + 10; ++i) {
        for (var p = fixture.focusedItem(root); p; p = p.parent) {
            if (reached.indexOf(p) < 0) reached.push(p)
        }
        test.keyClick(Qt.Key_Tab)
    }
    for (var c = 0; c < controls.length; ++c) {
        test.verify(reached.indexOf(controls[c]) >= 0, name + ": Tab never reaches " + describe(controls[c]))
        var spoken = fixture.accessibleName(controls[c])
        test.verify(spoken.trim() !== "", name + ": no accessible name: " + describe(controls[c]))
    }
    return controls
}

// The visible item called `objectName` under `item`, or null.
function find(item, objectName) {
    if (!item || !item.visible) return null
    if (item.objectName === objectName) return item
    for (var i = 0; i < item.children.length; ++i) {
        var found = find(item.children[i], objectName)
        if (found) return found
    }
    return null
}
