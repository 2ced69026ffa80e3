import QtQuick
import QtTest
import "checks.js" as Checks

// The crisis prompt over the check-in form: it opens before a PHQ-9 with
// item 9 above 0 is sent, takes the keyboard, names its parts, and Escape
// goes back to editing without sending.
AppScreen {
    id: app
    TestCase {
        name: "CrisisPrompt"
        when: windowShown
        function init() { app.open("client", "checkin", { peerId: fixture.therapistId }); waitForRendering(app) }
        function cleanup() { session.conversation.cancelCrisisSend() }

        function test_opens_with_guidance_and_notice_and_is_reachable() {
            session.conversation.sendCheckIn({ mood: 3, phq9: [1, 2, 1, 2, 1, 1, 1, 0, 1] })
            var overlay = app.overlay
            tryVerify(function() { return Checks.find(overlay, "crisisPrompt") !== null }, 2000)
            waitForRendering(app)
            var prompt = Checks.find(overlay, "crisisPrompt")
            verify(fixture.accessibleName(prompt).indexOf("You do not have to wait") === 0)
            verify(Checks.find(overlay, "crisisGuidance").Accessible.name.indexOf("call 999") >= 0)
            verify(Checks.find(overlay, "crisisAvailability").Accessible.name.indexOf("Mon") >= 0)
            Checks.checkScreen(this, overlay, fixture, "crisis prompt")
        }
        function test_escape_goes_back_to_editing() {
            session.conversation.sendCheckIn({ mood: 3, phq9: [1, 2, 1, 2, 1, 1, 1, 0, 1] })
            var overlay = app.overlay
            tryVerify(function() { return Checks.find(overlay, "crisisPrompt") !== null }, 2000)
            Checks.find(overlay, "crisisBack").forceActiveFocus()
            keyClick(Qt.Key_Escape)
            tryVerify(function() { return session.conversation.crisisPrompt.title === undefined }, 2000)
            verify(Checks.find(app, "checkInForm"), "still on the form")
        }
    }
}
