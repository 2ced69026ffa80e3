import QtQuick
import QtTest
import "checks.js" as Checks

// Suggesting an exercise from a template: the techniques, and the editable
// title, instructions, recurrence and due date.
AppScreen {
    id: app
    TestCase {
        name: "SuggestExercise"
        when: windowShown
        function init() { app.open("therapist", "suggest", { peerId: fixture.samId }); waitForRendering(app) }
        function test_keyboard_and_names() { Checks.checkScreen(this, app, fixture, "suggest") }
        function test_every_technique_has_a_template() {
            var list = Checks.find(app, "templateList")
            var techniques = {}
            for (var i = 0; i < session.templates.count; ++i)
                techniques[session.templates.get(i).technique] = session.templates.get(i).kind
            for (var t of ["Psychoeducation", "Cognitive reframing", "Mentalisation",
                           "Communication skills", "Emotional regulation", "Mourning"])
                verify(techniques[t] !== undefined, "no template for " + t)
            compare(techniques["Emotional regulation"], "emotion-regulation")
            compare(techniques["Mourning"], "mourning")
        }
        function test_choosing_a_template_by_keyboard_fills_the_editable_fields() {
            var list = Checks.find(app, "templateList")
            list.forceActiveFocus()
            for (var i = 1; i < session.templates.count; ++i) keyClick(Qt.Key_Down)
            keyClick(Qt.Key_Return)
            var last = session.templates.get(session.templates.count - 1)
            compare(Checks.find(app, "exerciseTitle").text, last.title)
            var instructions = Checks.find(app, "exerciseInstructions")
            compare(instructions.text, last.instructions)
            instructions.text = "edited"
            compare(instructions.text, "edited")
        }
    }
}
