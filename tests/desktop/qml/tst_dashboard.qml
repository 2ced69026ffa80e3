import QtQuick
import QtTest
import "checks.js" as Checks

// The therapist's dashboard of one client: range buttons, charts, emotions,
// questionnaires and reflections by kind.
AppScreen {
    id: app
    width: 1280
    height: 1080
    TestCase {
        name: "ClientDashboard"
        when: windowShown
        function init() {
            app.open("therapist", "dashboard", { peerId: fixture.samId })
            fixture.fillDashboard()
            waitForRendering(app)
        }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "dashboard") }
        function test_ranges_are_buttons_that_change_the_data() {
            session.dashboard.rangeDays = 7
            var week = session.dashboard.checkIns
            session.dashboard.rangeDays = 0
            verify(session.dashboard.checkIns > week, week + " vs " + session.dashboard.checkIns)
            verify(Checks.find(app, "reflectionsByKind"))
        }
    }
}
