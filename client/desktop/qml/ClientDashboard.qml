import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts
import SecureBase

// One client's check-ins over time, computed on this computer: mood, energy
// and sleep; PHQ-9 and GAD-7 totals over their severity bands; emotion
// intensities; reflections by kind. 7, 30, 90 days or everything.
Item {
    id: root
    objectName: "clientDashboard"
    readonly property var dash: session.dashboard
    readonly property var ranges: [{ d: 7, t: "7 days" }, { d: 30, t: "30 days" }, { d: 90, t: "90 days" }, { d: 0, t: "Everything" }]

    function fill() {
        dash.fillSeries(moodSeries, "mood")
        dash.fillSeries(energySeries, "energy")
        dash.fillSeries(sleepSeries, "sleep")
        phqBands.draw()
        gadBands.draw()
    }
    Connections { target: root.dash; function onComputed() { root.fill() } }
    Component.onCompleted: fill()

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: scroll.availableWidth - 2 * Theme.pad
            x: Theme.pad
            spacing: Theme.gap
            Item { Layout.preferredHeight: 4 }
            PageHeader {
                Layout.fillWidth: true
                title: root.dash.peerName
                subtitle: root.dash.checkIns + (root.dash.checkIns === 1 ? " check-in, " : " check-ins, ")
                          + Qt.formatDate(root.dash.from, "d MMM") + " \u2013 " + Qt.formatDate(root.dash.to, "d MMM yyyy")
                          + " \u00b7 computed on this computer"
                Repeater {
                    model: root.ranges
                    AppButton {
                        text: modelData.t
                        primary: root.dash.rangeDays === modelData.d
                        Accessible.name: "Show " + modelData.t
                        onClicked: root.dash.rangeDays = modelData.d
                    }
                }
                AppButton {
                    text: "Conversation"
                    onClicked: home.show("conversation", { peerId: root.dash.peerId })
                }
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap
                MeasureSummary { name: "PHQ-9"; latest: root.dash.latestPhq9; Layout.fillWidth: true }
                MeasureSummary { name: "GAD-7"; latest: root.dash.latestGad7; Layout.fillWidth: true }
            }

            RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            Section {
                Layout.preferredWidth: 3
                title: "Mood and energy (0 = worst, 10 = best)"
                ChartView {
                    objectName: "moodChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 220
                    antialiasing: true
                    legend.alignment: Qt.AlignBottom
                    backgroundRoundness: 0
                    margins { left: 4; right: 4; top: 4; bottom: 4 }
                    Accessible.role: Accessible.Chart
                    Accessible.name: "Mood and energy chart, " + root.dash.moodPoints + " points"
                    DateTimeAxis { id: timeAxis; min: root.dash.from; max: root.dash.to; format: root.dash.rangeDays > 0 && root.dash.rangeDays <= 120 ? "d MMM" : "MMM yyyy"; tickCount: 6 }
                    ValueAxis { id: scaleAxis; min: 0; max: 10; tickCount: 6; labelFormat: "%d" }
                    LineSeries { id: moodSeries; name: "Mood"; axisX: timeAxis; axisY: scaleAxis; color: Theme.primary; width: 2; pointsVisible: true }
                    LineSeries { id: energySeries; name: "Energy"; axisX: timeAxis; axisY: scaleAxis; color: "#b9770e"; width: 2; pointsVisible: true }
                }
            }
            Section {
                Layout.preferredWidth: 2
                title: "Sleep (hours)"
                ChartView {
                    objectName: "sleepChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 220
                    antialiasing: true
                    legend.visible: false
                    margins { left: 4; right: 4; top: 4; bottom: 4 }
                    Accessible.role: Accessible.Chart
                    Accessible.name: "Sleep chart"
                    DateTimeAxis { id: sleepTime; min: root.dash.from; max: root.dash.to; format: timeAxis.format; tickCount: 4 }
                    ValueAxis { id: sleepAxis; min: 0; max: 12; tickCount: 5; labelFormat: "%d" }
                    LineSeries { id: sleepSeries; name: "Sleep"; axisX: sleepTime; axisY: sleepAxis; color: "#5b4b8a"; width: 2; pointsVisible: true }
                }
            }
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap
                Section {
                    // Equal halves, equal heights, whatever the legends wrap to.
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.fillHeight: true
                    title: "PHQ-9 total (depression)"
                    ChartView {
                        id: phqChart
                        objectName: "phq9Chart"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 220
                        antialiasing: true
                        legend.visible: false
                        margins { left: 4; right: 4; top: 4; bottom: 4 }
                        Accessible.role: Accessible.Chart
                        Accessible.name: "PHQ-9 totals over time with severity bands, " + root.dash.phq9Points + " points"
                        DateTimeAxis { id: phqTime; min: root.dash.from; max: root.dash.to; format: timeAxis.format; tickCount: 4 }
                        ValueAxis { id: phqAxis; min: 0; max: 27; tickCount: 4; labelFormat: "%d" }
                    }
                    BandAreas { id: phqBands; chart: phqChart; xAxis: phqTime; yAxis: phqAxis; series: "phq9"; bands: root.dash.phq9Bands; from: root.dash.from; to: root.dash.to }
                    BandLegend { bands: root.dash.phq9Bands }
                }
                Section {
                    // Equal halves, equal heights, whatever the legends wrap to.
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.fillHeight: true
                    title: "GAD-7 total (anxiety)"
                    ChartView {
                        id: gadChart
                        objectName: "gad7Chart"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 220
                        antialiasing: true
                        legend.visible: false
                        margins { left: 4; right: 4; top: 4; bottom: 4 }
                        Accessible.role: Accessible.Chart
                        Accessible.name: "GAD-7 totals over time with severity bands, " + root.dash.gad7Points + " points"
                        DateTimeAxis { id: gadTime; min: root.dash.from; max: root.dash.to; format: timeAxis.format; tickCount: 4 }
                        ValueAxis { id: gadAxis; min: 0; max: 21; tickCount: 4; labelFormat: "%d" }
                    }
                    BandAreas { id: gadBands; chart: gadChart; xAxis: gadTime; yAxis: gadAxis; series: "gad7"; bands: root.dash.gad7Bands; from: root.dash.from; to: root.dash.to }
                    BandLegend { bands: root.dash.gad7Bands }
                }
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                spacing: Theme.gap
                Section {
                    Layout.alignment: Qt.AlignTop
                    title: "Emotions (average intensity, 0\u2013100)"
                    objectName: "emotionBars"
                    Label { visible: root.dash.emotions.length === 0; text: "No emotions named in this period."; color: Theme.muted }
                    Repeater {
                        model: root.dash.emotions
                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 8
                            Accessible.role: Accessible.StaticText
                            Accessible.name: modelData.name + ": average " + modelData.average + ", named " + modelData.count + " times"
                            Label { text: modelData.name; Layout.preferredWidth: 100; elide: Text.ElideRight }
                            Rectangle {
                                Layout.fillWidth: true
                                height: 14
                                radius: 4
                                color: Theme.background
                                Rectangle { width: parent.width * modelData.average / 100; height: parent.height; radius: 4; color: Theme.primary; opacity: 0.75 }
                            }
                            Label { text: modelData.average + " \u00b7 " + modelData.count + "\u00d7"; Layout.preferredWidth: 64; font.pixelSize: Theme.small; color: Theme.muted }
                        }
                    }
                }
                Section {
                    Layout.alignment: Qt.AlignTop
                    title: "Reflections by kind"
                    objectName: "reflectionsByKind"
                    Label { visible: root.dash.reflections.length === 0; text: "No reflections in this period."; color: Theme.muted }
                    Repeater {
                        model: root.dash.reflections
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 4
                            Label { text: modelData.kind + " (" + modelData.count + ")"; font.bold: true }
                            Repeater {
                                model: modelData.entries.slice(0, 3)
                                Label {
                                    Layout.fillWidth: true
                                    elide: Text.ElideRight
                                    textFormat: Text.PlainText
                                    text: session.formatDate(modelData.at) + " \u2014 " + modelData.title
                                    color: Theme.muted
                                }
                            }
                        }
                    }
                }
            }
            Item { Layout.preferredHeight: Theme.pad }
        }
    }
}
