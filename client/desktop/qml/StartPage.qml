import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// What the right side shows before a conversation is chosen.
Item {
    objectName: "startPage"
    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(440, parent.width - 48)
        spacing: 10
        Label {
            text: "Hello, " + session.displayName
            textFormat: Text.PlainText
            font.pixelSize: Theme.title
            font.bold: true
            Layout.alignment: Qt.AlignHCenter
        }
        Label {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            color: Theme.muted
            text: session.contacts.count > 0
                  ? "Choose a conversation on the left. You can send a message, a check-in or a reflection between sessions."
                  : "Add your therapist with the invite code they gave you to start."
        }
        Label {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            color: Theme.danger
            font.pixelSize: Theme.small
            text: "SecureBase is not for emergencies. If you are in danger or might harm yourself, call your local emergency number now."
        }
    }
}
