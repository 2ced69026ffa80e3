import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Server address and CA file, folded away until needed.
ColumnLayout {
    id: root
    property bool expanded: false
    spacing: 8
    function apply() {
        return session.saveSettings(address.text, ca.text, session.idleLockMinutes)
    }
    AppButton {
        text: root.expanded ? "Hide server settings" : "Server settings\u2026"
        Accessible.name: root.expanded ? "Hide server settings" : "Show server settings"
        onClicked: root.expanded = !root.expanded
    }
    Field {
        id: address
        visible: root.expanded
        Layout.fillWidth: true
        label: "Server address"
        text: session.serverAddress
        help: "host:port. The development server is 127.0.0.1:50051."
    }
    Field {
        id: ca
        visible: root.expanded
        Layout.fillWidth: true
        label: "Certificate authority file (PEM)"
        text: session.caFile
        help: "Empty: the system's trust store. The development server's is data/tls/ca.crt."
    }
}
