import QtQuick
import QtTest
import "checks.js" as Checks

// Settings and export: server, CA file, idle lock, export, end link.
AppScreen {
    id: app
    TestCase {
        name: "Settings"
        when: windowShown
        function test_therapist_keyboard_and_names() {
            app.open("therapist", "settings")
            waitForRendering(app)
            Checks.checkScreen(this, app, fixture, "therapist settings")
        }
        function test_client_keyboard_and_names() {
            app.open("client", "settings")
            waitForRendering(app)
            Checks.checkScreen(this, app, fixture, "client settings")
        }
    }
}
