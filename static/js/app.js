/* 医养通办 — the little behaviour pages need, as a file (no inline script: the pages'
   Content-Security-Policy allows scripts from this site only). */
(function () {
  "use strict";

  /* Irreversible actions ask first: <form data-confirm="确定撤回该办件？"> */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  /* The clinic-filing form: one more staff row from the empty-row template. */
  var addStaff = document.getElementById("add-staff");
  if (addStaff) {
    addStaff.addEventListener("click", function () {
      var total = document.getElementById("id_staff-TOTAL_FORMS");
      var html = document.getElementById("staff-template").innerHTML.replace(/__prefix__/g, total.value);
      document.getElementById("staff-rows").insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
    });
  }

  /* After a refused submission, move the reader to the summary of what to fix. */
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
