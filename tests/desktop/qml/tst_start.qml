import QtQuick
import QtTest
import "checks.js" as Checks

// The client's start page.
AppScreen {
    id: app
    TestCase {
        name: "Start"
        when: windowShown
        function init() { app.open("client", "start"); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "start") }
    }
}
