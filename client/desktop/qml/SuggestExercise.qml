import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The therapist suggests an exercise from a template: the techniques of the
// therapy on the left, the editable exercise on the right.
Item {
    id: root
    objectName: "suggestExercise"
    readonly property var conv: session.conversation
    property int chosen: 0
    readonly property var template: session.templates.get(chosen)
    function choose(i) {
        chosen = i
        var t = session.templates.get(i)
        titleField.text = t.title
        instructions.text = t.instructions
        recurrence.currentIndex = ["none", "daily", "weekly"].indexOf(t.recurrence)
        due.text = session.templates.dueDateFor(i)
    }
    Component.onCompleted: choose(0)
    Connections {
        target: root.conv
        function onSent(type) { if (type === "exercise") home.show("conversation", { peerId: root.conv.peerId }) }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: Theme.gap
        PageHeader {
            Layout.fillWidth: true
            title: "Suggest an exercise to " + root.conv.peerName
            subtitle: "Start from a template and make it theirs: every field can be changed."
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.gap
            ListView {
                id: templates
                objectName: "templateList"
                Layout.preferredWidth: 280
                Layout.fillHeight: true
                clip: true
                spacing: 6
                model: session.templates
                activeFocusOnTab: true
                keyNavigationEnabled: true
                currentIndex: root.chosen
                Accessible.role: Accessible.List
                Accessible.name: "Exercise templates"
                Keys.onReturnPressed: root.choose(currentIndex)
                delegate: ItemDelegate {
                    width: ListView.view.width
                    padding: 10
                    Accessible.name: model.technique + ": " + model.title
                    onClicked: root.choose(index)
                    background: Rectangle {
                        radius: 8
                        color: index === root.chosen ? Theme.primarySoft : Theme.surface
                        border.color: parent.visualFocus || (ListView.isCurrentItem && templates.activeFocus) ? Theme.focus : Theme.border
                        border.width: parent.visualFocus || (ListView.isCurrentItem && templates.activeFocus) ? 2 : 1
                    }
                    contentItem: ColumnLayout {
                        spacing: 2
                        Label { text: model.technique; font.pixelSize: Theme.small; color: Theme.muted }
                        Label { text: model.title; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
                    }
                }
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                contentWidth: availableWidth
                ColumnLayout {
                    width: parent.width
                    spacing: Theme.gap
                    Section {
                        Field { id: titleField; objectName: "exerciseTitle"; Layout.fillWidth: true; label: "Title" }
                        Label {
                            font.pixelSize: Theme.small
                            color: Theme.muted
                            text: "Answered with: " + (root.template.kindLabel || "")
                        }
                        TextBlock { id: instructions; objectName: "exerciseInstructions"; Layout.fillWidth: true; label: "Instructions"; minimumLines: 8 }
                        RowLayout {
                            spacing: Theme.gap
                            ColumnLayout {
                                spacing: 4
                                Label { text: "How often"; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
                                ComboBox {
                                    id: recurrence
                                    objectName: "exerciseRecurrence"
                                    model: ["once", "every day", "every week"]
                                    Accessible.name: "How often"
                                }
                            }
                            Field {
                                id: due
                                objectName: "exerciseDue"
                                Layout.preferredWidth: 200
                                label: "Due date (YYYY-MM-DD)"
                                help: session.templates.isAcceptableDueDate(due.text) ? "" : "Use a date from today on, like 2026-12-10."
                            }
                        }
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Item { Layout.fillWidth: true }
                        AppButton { text: "Cancel"; onClicked: home.show("conversation", { peerId: root.conv.peerId }) }
                        AppButton {
                            objectName: "sendExercise"
                            primary: true
                            text: root.conv.sending ? "Sending\u2026" : "Suggest this exercise"
                            enabled: !root.conv.sending && titleField.text.trim() !== "" && session.templates.isAcceptableDueDate(due.text)
                            onClicked: root.conv.suggestExercise({
                                title: titleField.text, instructions: instructions.text, kind: root.template.kind,
                                recurrence: ["none", "daily", "weekly"][recurrence.currentIndex], due: due.text })
                        }
                    }
                }
            }
        }
    }
}
