import QtQuick
import QtTest
import "checks.js" as Checks

// The guided reflection forms: one per kind the library has, each chosen by
// keyboard, each with its own fields; an exercise's instructions on top.
AppScreen {
    id: app
    TestCase {
        name: "Reflection"
        when: windowShown
        function init() { app.open("client", "reflection", { peerId: fixture.therapistId }); waitForRendering(app) }

        function test_every_kind_by_keyboard_with_its_fields() {
            var kinds = session.reflectionKinds
            verify(kinds.length >= 6, "free and five structured kinds")
            for (var i = 0; i < kinds.length; ++i) {
                var kind = kinds[i]
                var button = Checks.find(app, "kind-" + kind.name)
                verify(button, "no button for " + kind.name)
                button.forceActiveFocus(Qt.TabFocusReason)
                keyClick(Qt.Key_Space)
                waitForRendering(app)
                for (var f = 0; f < kind.fields.length; ++f) {
                    var field = kind.fields[f]
                    var prefix = field.type === "emotions" ? "emotions-" : "field-"
                    verify(Checks.find(app, prefix + field.key), kind.name + ": no field " + field.key)
                }
                Checks.checkScreen(this, app, fixture, "reflection " + kind.name)
            }
        }
        function test_an_exercise_shows_its_instructions_and_fixes_the_kind() {
            fixture.fillConversation()
            var exerciseId = ""
            for (var i = 0; i < session.exercises.rowCount(); ++i) {
                if (session.exercises.get(i).kind === "mentalisation") exerciseId = session.exercises.get(i).messageId
            }
            verify(exerciseId !== "", "the fixture has a mentalisation exercise")
            app.home.show("reflection", { peerId: fixture.therapistId, exerciseId: exerciseId, kind: "mentalisation" })
            waitForRendering(app)
            var banner = Checks.find(app, "exerciseInstructions")
            verify(banner && banner.Accessible.name.indexOf("Pick one moment") >= 0, banner ? banner.Accessible.name : "none")
            verify(!Checks.find(app, "reflectionKinds"), "the kind is the exercise's")
            verify(Checks.find(app, "field-other_intended"))
            Checks.checkScreen(this, app, fixture, "reflection answering an exercise")
        }
    }
}
