import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The window: first run, unlock, or the home screen, by the session's state;
// a notice strip at the bottom for what just happened.
ApplicationWindow {
    id: window
    width: 1120
    height: 760
    minimumWidth: 860
    minimumHeight: 580
    visible: true
    color: Theme.background
    title: "SecureBase" + (typeof windowTitleSuffix !== "undefined" && windowTitleSuffix !== "" ? " \u2014 " + windowTitleSuffix : "")
    font.pixelSize: Theme.fontSize

    Loader {
        id: screen
        objectName: "screenLoader"
        anchors.fill: parent
        anchors.bottomMargin: noticeBar.visible ? noticeBar.height : 0
        active: session.state !== Session.Ready
        focus: active
        sourceComponent: session.state === Session.NoVault ? welcomeComponent : unlockComponent
    }
    // Made while the vault unlocks (the UI thread waits for Argon2id then),
    // hidden until the contact list is there.
    Loader {
        id: homeLoader
        objectName: "homeLoader"
        anchors.fill: parent
        anchors.bottomMargin: noticeBar.visible ? noticeBar.height : 0
        active: session.state === Session.Unlocking || session.state === Session.Ready
        asynchronous: session.state === Session.Unlocking
        visible: session.state === Session.Ready && status === Loader.Ready
        focus: visible
        sourceComponent: homeComponent
    }
    Component { id: homeComponent; HomeScreen {} }
    Component { id: welcomeComponent; WelcomeScreen {} }
    Component { id: unlockComponent; UnlockScreen {} }

    Rectangle {
        id: noticeBar
        objectName: "noticeBar"
        visible: session.notice !== ""
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        height: noticeRow.implicitHeight + 16
        color: Theme.text
        Accessible.role: Accessible.AlertMessage
        Accessible.name: session.notice
        RowLayout {
            id: noticeRow
            anchors.fill: parent
            anchors.margins: 8
            anchors.leftMargin: 16
            Label {
                text: session.notice
                textFormat: Text.PlainText
                color: "#ffffff"
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Button {
                text: "Dismiss"
                Accessible.name: "Dismiss notice"
                onClicked: session.dismissNotice()
            }
        }
    }
}
