import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// An exercise as a card: title, kind, how often, when; the instructions; and
// "Answer" for the client, which opens the right form.
ColumnLayout {
    id: root
    property var card: ({})
    property string messageId: ""
    property bool canAnswer: false
    spacing: 6
    RowLayout {
        Layout.fillWidth: true
        Label { text: "Exercise"; font.bold: true; color: Theme.primary }
        Label {
            Layout.fillWidth: true
            text: (root.card.title || "")
            textFormat: Text.PlainText
            font.bold: true
            wrapMode: Text.Wrap
        }
    }
    Label {
        font.pixelSize: Theme.small
        color: Theme.muted
        text: (root.card.kindLabel || "") + " \u00b7 " + (root.card.recurrence || "") + ((root.card.due || "") !== "" ? " \u00b7 due " + (root.card.due || "") : "")
    }
    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        text: (root.card.instructions || "")
    }
    AppButton {
        visible: root.canAnswer
        text: "Answer"
        Accessible.name: "Answer exercise " + (root.card.title || "")
        onClicked: home.show((root.card.kind || "") === "check-in" ? "checkin" : "reflection",
                             { peerId: session.conversation.peerId, exerciseId: root.messageId,
                               kind: (root.card.kind || "") })
    }
}
