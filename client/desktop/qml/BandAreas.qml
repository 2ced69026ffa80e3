import QtQuick
import QtCharts
import SecureBase

// Draws a measure's chart: coloured severity bands (one AreaSeries each),
// then the totals as a line with points on top of them. Charts draw series
// in the order they were made, so everything is made here, bands first.
QtObject {
    id: root
    property var chart
    property var xAxis
    property var yAxis
    property var bands: []
    property date from
    property date to
    property string series: "phq9"  // DashboardModel.fillSeries name.
    function draw() {
        if (!chart) return
        chart.removeAllSeries()
        for (var b = 0; b < bands.length; ++b) {
            var area = chart.createSeries(ChartView.SeriesTypeArea, bands[b].label, xAxis, yAxis)
            var upper = Qt.createQmlObject("import QtCharts; LineSeries {}", area)
            var lower = Qt.createQmlObject("import QtCharts; LineSeries {}", area)
            var top = b === bands.length - 1 ? bands[b].max : bands[b + 1].min
            upper.append(from.getTime(), top); upper.append(to.getTime(), top)
            lower.append(from.getTime(), bands[b].min); lower.append(to.getTime(), bands[b].min)
            area.upperSeries = upper
            area.lowerSeries = lower
            area.color = Theme.bandColors[Math.min(b, Theme.bandColors.length - 1)]
            area.borderWidth = 0
        }
        var line = chart.createSeries(ChartView.SeriesTypeLine, "total", xAxis, yAxis)
        line.color = Theme.text
        line.width = 2
        session.dashboard.fillSeries(line, series)
        var points = chart.createSeries(ChartView.SeriesTypeScatter, "totals", xAxis, yAxis)
        points.color = Theme.text
        points.markerSize = 9
        points.borderColor = "#ffffff"
        session.dashboard.fillSeries(points, series)
    }
}
