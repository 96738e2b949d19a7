// nisnet: small enhancements; every page works without them.
// - keeps due-time countdowns ([data-due]) current;
// - tells the server the browser's time zone (cookie nisnet_tz) so times
//   show in it for readers who chose none.
(function () {
  "use strict";
  var body = document.body;
  function fmt(ms) {
    var m = Math.round(ms / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60, parts = [];
    if (d > 0) parts.push(d + " " + body.dataset.unitDay);
    if (h > 0) parts.push(h + " " + body.dataset.unitHour);
    if (d === 0 && (mm > 0 || h === 0)) parts.push(mm + " " + body.dataset.unitMinute);
    return parts.join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      var tpl = left >= 0 ? body.dataset.dueIn : body.dataset.overdueBy;
      el.textContent = tpl.replace("{duration}", fmt(Math.abs(left)));
      el.classList.toggle("overdue", left < 0);
    });
  }
  if (document.querySelector("[data-due]")) {
    tick();
    setInterval(tick, 30000);
  }
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("nisnet_tz=" + tz) < 0) {
      document.cookie = "nisnet_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: the node's zone is used */ }
})();
