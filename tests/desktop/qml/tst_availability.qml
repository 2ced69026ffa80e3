import QtQuick
import QtTest
import "checks.js" as Checks

// The therapist's availability editor.
AppScreen {
    id: app
    TestCase {
        name: "Availability"
        when: windowShown
        function init() { app.open("therapist", "availability"); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "availability") }
        function test_shows_the_notice_as_last_sent() {
            compare(Checks.find(app, "availabilityText").text, "Mon-Thu 9-17")
        }
    }
}
