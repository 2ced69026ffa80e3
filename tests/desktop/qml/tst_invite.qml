import QtQuick
import QtTest
import "checks.js" as Checks

// The therapist's invite: the code, its QR code and how long it stays valid.
AppScreen {
    id: app
    TestCase {
        name: "Invite"
        when: windowShown
        function init() { app.open("therapist", "invite"); fixture.fillInvite(); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "invite") }
        function test_code_qr_and_expiry_are_shown() {
            verify(Checks.find(app, "inviteCode").text.indexOf("SBI1-") === 0)
            verify(Checks.find(app, "inviteQr"))
            verify(Checks.find(app, "inviteExpiry").text !== "")
        }
    }
}
