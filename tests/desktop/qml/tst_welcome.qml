import QtQuick
import QtTest
import "qrc:/qml"
import "checks.js" as Checks

// First run: role, name, passphrase with its strength hint, confirmation.
Item {
    id: root
    width: 1120
    height: 760
    Component { id: welcome; WelcomeScreen { anchors.fill: parent } }

    TestCase {
        name: "Welcome"
        when: windowShown
        function test_keyboard_and_names() {
            var screen = createTemporaryObject(welcome, root)
            waitForRendering(screen)
            Checks.checkScreen(this, screen, fixture, "welcome")
        }
        function test_weak_passphrase_cannot_create_the_vault() {
            var screen = createTemporaryObject(welcome, root)
            waitForRendering(screen)
            var name = Checks.find(screen, "nameField")
            var passphrase = Checks.find(screen, "passphraseField")
            var create = Checks.find(screen, "createButton")
            verify(name && passphrase && create)
            name.text = "Sam"
            passphrase.text = "abc"
            var confirm = Checks.find(screen, "confirmField")
            if (confirm) confirm.text = "abc"
            verify(!create.enabled, "a three-letter passphrase is refused")
            verify(Checks.find(screen, "strengthHint").text !== "", "the hint says why")
        }
    }
}
