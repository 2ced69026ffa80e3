import QtQuick
import QtTest
import "checks.js" as Checks

// The therapist's client overview: a row per client with the last
// check-in, the mood trend, exercises and unread items.
AppScreen {
    id: app
    TestCase {
        name: "ClientOverview"
        when: windowShown
        function init() { app.open("therapist", "overview"); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "overview") }
        function test_every_client_has_a_row_that_says_its_state() {
            var list = Checks.find(app, "overviewList")
            verify(list)
            compare(list.count, 3)
            var names = []
            for (var i = 0; i < list.count; ++i) {
                list.currentIndex = i
                var row = list.itemAtIndex(i)
                verify(row, "row " + i)
                names.push(row.Accessible.name)
            }
            var all = names.join(" | ")
            verify(all.indexOf("Sam") >= 0 && all.indexOf("mood") >= 0, all)
            verify(all.indexOf("past due") >= 0, all)
        }
    }
}
