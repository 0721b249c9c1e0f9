// The 打印 button of a points card or a poster. It stays hidden where JavaScript does not run (the
// browser's own print menu does the same); no inline handler, so the page's
// Content-Security-Policy needs no 'unsafe-inline'.
document.querySelectorAll("[data-print]").forEach(function (row) {
  var button = row.querySelector("button");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.addEventListener("click", function () {
    window.print();
  });
  row.hidden = false;
});
