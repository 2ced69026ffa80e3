import QtQuick
import QtTest
import "checks.js" as Checks

// A conversation, from both sides: the client always sees the therapist's
// availability and "not for emergencies"; the compose box sends with
// Ctrl+Enter.
AppScreen {
    id: app
    TestCase {
        name: "Conversation"
        when: windowShown
        function open(role) {
            app.open(role, "conversation", { peerId: role === "client" ? fixture.therapistId : fixture.samId })
            fixture.fillConversation()
            waitForRendering(app)
        }
        function test_client_keyboard_and_names() {
            open("client")
            Checks.checkScreen(this, app, fixture, "client conversation")
        }
        function test_therapist_keyboard_and_names() {
            open("therapist")
            Checks.checkScreen(this, app, fixture, "therapist conversation")
        }
        function test_client_always_sees_the_notice_and_emergency_guidance() {
            open("client")
            var banner = Checks.find(app, "availabilityBanner")
            verify(banner, "no availability banner")
            verify(banner.Accessible.name.indexOf("not for emergencies") >= 0, banner.Accessible.name)
        }
        function test_items_are_a_named_list() {
            open("therapist")
            var items = Checks.find(app, "conversationItems")
            verify(items.count > 10)
            verify(fixture.accessibleName(items).indexOf("Sam") >= 0)
        }
    }
}
