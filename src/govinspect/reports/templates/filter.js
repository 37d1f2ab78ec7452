(function () {
  var box = document.getElementById("site-filter");
  if (!box) { return; }
  box.hidden = false;
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    document.querySelectorAll("details.site").forEach(function (d) {
      var hay = (d.getAttribute("data-search") || "").toLowerCase();
      d.hidden = q !== "" && hay.indexOf(q) === -1;
    });
  });
})();
