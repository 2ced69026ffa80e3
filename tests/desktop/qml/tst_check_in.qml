import QtQuick
import QtTest
import "checks.js" as Checks

// The check-in form, with PHQ-9 and GAD-7 opened.
AppScreen {
    id: app
    TestCase {
        name: "CheckIn"
        when: windowShown
        function init() { app.open("client", "checkin", { peerId: fixture.therapistId }); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "check-in") }
        function test_questionnaires_open_by_keyboard_with_their_items() {
            var toggle = Checks.find(app, "phq9Toggle")
            verify(toggle)
            toggle.forceActiveFocus(Qt.TabFocusReason)
            keyClick(Qt.Key_Space)
            verify(toggle.checked)
            waitForRendering(app)
            verify(Checks.find(app, "phq9Section"))
            // The nine items are reachable and named too.
            Checks.checkScreen(this, app, fixture, "check-in with PHQ-9")
        }
    }
}
