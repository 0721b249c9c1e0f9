// The service card's QR code: a new code every minute, without reloading the page (a page
// that reloads itself loses the reader's place). Without JavaScript the code shown still
// counts for five minutes, and 刷新二维码 reloads the page.
document.querySelectorAll("img[data-refresh-seconds]").forEach(function (img) {
  var seconds = parseInt(img.getAttribute("data-refresh-seconds"), 10);
  var base = img.getAttribute("src").split("?")[0];
  if (!(seconds > 0)) {
    return;
  }
  window.setInterval(function () {
    img.setAttribute("src", base + "?t=" + Date.now());
  }, seconds * 1000);
});
