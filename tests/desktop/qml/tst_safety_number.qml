import QtQuick
import QtTest
import "checks.js" as Checks

// The safety number: 60 digits, a QR code, Verify and Trust.
AppScreen {
    id: app
    TestCase {
        name: "SafetyNumber"
        when: windowShown
        function init() {
            app.open("therapist", "safety", { peerId: fixture.alexId })
            fixture.fillSafetyNumber()
            waitForRendering(app)
        }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "safety number") }
        function test_digits_are_read_in_groups() {
            var digits = Checks.find(app, "safetyDigits")
            verify(digits)
            var spoken = fixture.accessibleName(digits)
            compare(spoken.replace(/[^0-9]/g, "").length, 60, spoken)
            verify(Checks.find(app, "safetyQr"))
        }
    }
}
