import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// One item of a conversation: a bubble for messages, a card for check-ins,
// reflections and exercises, a quiet line for notices; time and delivery
// state underneath (in words, for screen readers too).
Item {
    id: root
    required property var model
    required property int index
    readonly property bool outgoing: model.outgoing
    readonly property string type: model.type
    readonly property bool system: type === "availability" || type === "invalid"
    // The library's note for the reader of an incoming item with a risk signal.
    readonly property string attention: model.card.attention || ""
    implicitHeight: column.implicitHeight
    Accessible.role: Accessible.ListItem
    Accessible.name: (attention !== "" ? "Please read this soon. " : "") + model.summary + ". "
                     + session.formatDateTime(model.sentAt) + (outgoing ? ", " + model.state : "")

    TextMetrics {
        id: metrics
        font.pixelSize: Theme.fontSize
        text: root.type === "text" ? (root.model.card.body || "") : ""
    }
    ColumnLayout {
        id: column
        readonly property real maxWidth: Math.min(root.width * 0.78, 560)
        // Short messages get a short bubble; cards use the full width.
        width: root.system ? root.width
             : root.type === "text" && root.attention === "" ? Math.min(maxWidth, Math.max(metrics.advanceWidth + 30, 90))
             : maxWidth
        x: root.system ? 0 : root.outgoing ? root.width - width : 0
        spacing: 2
        Banner {
            objectName: "riskAttention"
            visible: root.attention !== ""
            Layout.fillWidth: true
            kind: "danger"
            title: "Please read this soon"
            text: root.attention + (root.model.card.attentionWhere ? " (In " + root.model.card.attentionWhere + ".)" : "")
        }
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: body.implicitHeight + 20
            radius: 12
            color: root.system ? "transparent" : root.outgoing ? Theme.outgoing : Theme.incoming
            border.color: root.system ? "transparent" : Theme.border
            Loader {
                id: body
                x: 12
                y: 10
                width: parent.width - 24
                sourceComponent: root.type === "text" ? textBody
                               : root.type === "check-in" ? checkInBody
                               : root.type === "reflection" ? reflectionBody
                               : root.type === "exercise" ? exerciseBody
                               : systemBody
            }
        }
        Label {
            Layout.alignment: root.outgoing ? Qt.AlignRight : Qt.AlignLeft
            visible: !root.system
            font.pixelSize: Theme.small
            color: model.state === "failed" ? Theme.danger : Theme.muted
            text: session.formatTime(model.sentAt) + (root.outgoing ? "  \u00b7  " + stateText(model.state) : "")
            function stateText(s) {
                return s === "queued" ? "waiting to send" : s === "sent" ? "sent \u2713"
                     : s === "delivered" ? "delivered \u2713\u2713" : s === "read" ? "read \u2713\u2713"
                     : s === "failed" ? "not delivered" : s
            }
        }
    }

    Component {
        id: textBody
        Label {
            text: root.model.card.body
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
        }
    }
    Component { id: checkInBody; CheckInCard { card: root.model.card } }
    Component { id: reflectionBody; ReflectionCard { card: root.model.card } }
    Component {
        id: exerciseBody
        ExerciseCard {
            card: root.model.card
            messageId: root.model.messageId
            canAnswer: !root.outgoing && !session.isTherapist
        }
    }
    Component {
        id: systemBody
        Label {
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            font.pixelSize: Theme.small
            color: root.type === "invalid" ? Theme.danger : Theme.muted
            textFormat: Text.PlainText
            text: root.type === "availability"
                  ? (root.outgoing ? "You updated your availability: " : "Availability updated: ") + root.model.card.text
                  : "An item could not be read: " + root.model.card.reason
        }
    }
}
