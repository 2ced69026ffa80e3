import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// One contact: name, verification, last activity, unread count; a key change
// is shown in words, not only in colour.
ItemDelegate {
    id: root
    property bool selected: false
    signal opened()
    function open() { opened() }
    onClicked: opened()
    padding: 10
    Accessible.role: Accessible.ListItem
    Accessible.name: model.name + (model.identityChanged ? ", safety number changed" : model.verified ? ", verified" : "")
                     + (model.unread > 0 ? ", " + model.unreadText + " unread" : "")
                     + (model.linked ? "" : ", link ended")
    background: Rectangle {
        radius: 8
        color: root.selected ? Theme.surface : root.hovered ? "#f4f1ec" : "transparent"
        border.width: root.highlighted || root.visualFocus ? 2 : (root.selected ? 1 : 0)
        border.color: root.highlighted || root.visualFocus ? Theme.focus : Theme.border
    }
    contentItem: RowLayout {
        spacing: 10
        Rectangle {
            width: 36; height: 36; radius: 18
            color: model.identityChanged ? Theme.warningSoft : Theme.primarySoft
            Label {
                anchors.centerIn: parent
                text: model.name.length > 0 ? model.name.charAt(0).toUpperCase() : "?"
                font.bold: true
                color: model.identityChanged ? Theme.warning : Theme.primary
            }
        }
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            RowLayout {
                Layout.fillWidth: true
                spacing: 6
                Label {
                    text: model.name
                    textFormat: Text.PlainText
                    font.bold: model.unread > 0
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Label {
                    visible: model.verified && !model.identityChanged
                    text: "\u2713 verified"
                    font.pixelSize: Theme.small
                    color: Theme.success
                }
            }
            Label {
                Layout.fillWidth: true
                elide: Text.ElideRight
                font.pixelSize: Theme.small
                color: model.identityChanged ? Theme.warning : Theme.muted
                font.bold: model.identityChanged
                text: model.identityChanged ? "\u26a0 Safety number changed"
                    : !model.linked ? "Link ended"
                    : model.lastActivity > 0 ? model.lastActivityLabel + " \u00b7 " + session.relativeTime(model.lastActivity)
                    : "No messages yet"
            }
        }
        Badge {
            visible: model.unread > 0
            text: model.unreadText
            tint: Theme.primaryText
            fill: Theme.primary
        }
    }
}
