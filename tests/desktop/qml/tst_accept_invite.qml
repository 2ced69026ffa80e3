import QtQuick
import QtTest
import "checks.js" as Checks

// The client enters a therapist's invite code.
AppScreen {
    id: app
    TestCase {
        name: "AcceptInvite"
        when: windowShown
        function init() { app.open("client", "accept"); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "accept invite") }
    }
}
