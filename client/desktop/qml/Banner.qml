import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A coloured notice strip: "info", "warning" or "danger". Children go into
// the actions row on the right.
Rectangle {
    id: root
    property string kind: "info"
    property alias title: titleLabel.text
    property alias text: body.text
    default property alias actions: actionRow.data
    color: kind === "danger" ? Theme.dangerSoft : kind === "warning" ? Theme.warningSoft : Theme.primarySoft
    border.color: kind === "danger" ? Theme.danger : kind === "warning" ? Theme.warning : Theme.primary
    border.width: 1
    radius: 8
    implicitHeight: content.implicitHeight + 20
    Accessible.role: Accessible.AlertMessage
    Accessible.name: titleLabel.text + ". " + body.text
    RowLayout {
        id: content
        anchors.fill: parent
        anchors.margins: 10
        spacing: 12
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            Label {
                id: titleLabel
                visible: text !== ""
                font.bold: true
                color: root.kind === "danger" ? Theme.danger : root.kind === "warning" ? Theme.warning : Theme.primary
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Label {
                id: body
                visible: text !== ""
                textFormat: Text.PlainText
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
        }
        RowLayout { id: actionRow; spacing: 8 }
    }
}
