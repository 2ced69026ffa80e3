import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The exercises of this conversation with due dates and where each stands;
// "Answer" opens the right form (client).
Item {
    id: root
    objectName: "exerciseList"
    readonly property var conv: session.conversation
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: Theme.gap
        PageHeader {
            Layout.fillWidth: true
            title: session.isTherapist ? "Exercises suggested to " + root.conv.peerName : "Exercises from " + root.conv.peerName
            subtitle: session.exercises.count === 0 ? "None yet." : session.exercises.openCount + " open"
            AppButton {
                text: "Back to conversation"
                onClicked: home.show("conversation", { peerId: root.conv.peerId })
            }
        }
        ListView {
            id: list
            objectName: "exerciseListView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 10
            model: session.exercises
            activeFocusOnTab: true
            Accessible.role: Accessible.List
            Accessible.name: "Exercises"
            delegate: Rectangle {
                width: ListView.view.width
                implicitHeight: row.implicitHeight + 2 * Theme.pad
                radius: Theme.radius
                color: Theme.surface
                border.color: model.progress === "overdue" ? Theme.warning : Theme.border
                Accessible.role: Accessible.ListItem
                Accessible.name: model.title + ", " + model.progress + (model.due !== "" ? ", due " + model.due : "")
                RowLayout {
                    id: row
                    anchors.fill: parent
                    anchors.margins: Theme.pad
                    spacing: Theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 4
                        RowLayout {
                            spacing: 8
                            Label { text: model.title; textFormat: Text.PlainText; font.bold: true; font.pixelSize: Theme.heading }
                            Badge {
                                text: model.progress === "done" ? (model.recurrence === "once" ? "done" : "done for now")
                                    : model.progress === "overdue" ? "past due date" : "to do"
                                tint: model.progress === "done" ? Theme.success : model.progress === "overdue" ? Theme.warning : Theme.primary
                                fill: model.progress === "done" ? Theme.successSoft : model.progress === "overdue" ? Theme.warningSoft : Theme.primarySoft
                            }
                        }
                        Label {
                            font.pixelSize: Theme.small
                            color: Theme.muted
                            text: model.kindLabel + " \u00b7 " + model.recurrence + (model.due !== "" ? " \u00b7 due " + model.due : "")
                                  + " \u00b7 answered " + model.answers + (model.answers === 1 ? " time" : " times")
                        }
                        Label {
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            textFormat: Text.PlainText
                            maximumLineCount: 4
                            elide: Text.ElideRight
                            text: model.instructions
                        }
                    }
                    AppButton {
                        visible: !session.isTherapist
                        primary: model.progress !== "done"
                        text: "Answer"
                        Accessible.name: "Answer " + model.title
                        onClicked: home.show(model.kind === "check-in" ? "checkin" : "reflection",
                                             { peerId: root.conv.peerId, exerciseId: model.messageId, kind: model.kind })
                    }
                }
            }
        }
    }
}
