import QtQuick
import QtTest
import "checks.js" as Checks

// The client's exercise list with due dates and Answer.
AppScreen {
    id: app
    TestCase {
        name: "Exercises"
        when: windowShown
        function init() {
            app.open("client", "exercises", { peerId: fixture.therapistId })
            fixture.fillConversation()
            waitForRendering(app)
        }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "exercises") }
        function test_list_has_every_exercise() {
            var list = Checks.find(app, "exerciseListView")
            verify(list)
            compare(list.count, session.exercises.rowCount())
            verify(list.count >= 2)
        }
    }
}
