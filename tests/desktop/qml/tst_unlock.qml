import QtQuick
import QtTest
import "qrc:/qml"
import "checks.js" as Checks

// Unlock: the passphrase field and the button.
Item {
    id: root
    width: 1120
    height: 760
    Component { id: unlock; UnlockScreen { anchors.fill: parent } }

    TestCase {
        name: "Unlock"
        when: windowShown
        function test_keyboard_and_names() {
            var screen = createTemporaryObject(unlock, root)
            waitForRendering(screen)
            // The passphrase field has the keyboard from the start.
            compare(fixture.focusedItem(screen), Checks.find(screen, "unlockPassphrase").input)
            Checks.checkScreen(this, screen, fixture, "unlock")
        }
        function test_passphrase_is_not_shown() {
            var screen = createTemporaryObject(unlock, root)
            var field = Checks.find(screen, "unlockPassphrase")
            compare(field.echoMode, TextInput.Password)
        }
    }
}
