// Uploads with drag-and-drop and a real progress bar (XMLHttpRequest reports upload progress; fetch does not).
(function () {
  "use strict";

  function antiforgeryToken() {
    const input = document.querySelector("input[name=__RequestVerificationToken]");
    return input ? input.value : "";
  }

  function problemMessage(xhr) {
    try {
      const problem = JSON.parse(xhr.responseText);
      return problem.detail || problem.title || ("HTTP " + xhr.status);
    } catch {
      return "Upload failed (HTTP " + xhr.status + ").";
    }
  }

  // Back to empty, so that a refused upload does not leave a bar frozen where the server stopped it.
  function resetProgress(zone) {
    const bar = zone.querySelector(".progress > div");
    bar.style.width = "0%";
    bar.parentElement.setAttribute("aria-valuenow", "0");
    zone.querySelector(".progress-label").textContent = "";
  }

  function upload(zone, file) {
    return new Promise(function (resolve, reject) {
      const bar = zone.querySelector(".progress > div");
      const label = zone.querySelector(".progress-label");
      const data = new FormData();
      data.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", zone.dataset.endpoint);
      xhr.setRequestHeader("RequestVerificationToken", antiforgeryToken());
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        const percent = Math.round((e.loaded / e.total) * 100);
        bar.style.width = percent + "%";
        bar.parentElement.setAttribute("aria-valuenow", String(percent));
        label.textContent = "Uploading " + file.name + ": " + percent + "%";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(problemMessage(xhr)));
      });
      xhr.addEventListener("error", function () { reject(new Error("The connection failed during the upload.")); });
      xhr.send(data);
    });
  }

  document.querySelectorAll(".dropzone").forEach(function (zone) {
    const input = zone.querySelector("input[type=file]");
    const errors = zone.parentElement.querySelector(".errors");

    async function send(files) {
      errors.textContent = "";
      for (const file of files) {
        try {
          await upload(zone, file);
        } catch (e) {
          resetProgress(zone);
          errors.textContent = file.name + ": " + e.message;
          return;
        }
      }
      zone.querySelector(".progress-label").textContent = "Done.";
      window.location.reload();
    }

    // The input sits inside the zone, so its own click bubbles here; clicking it again would ask for a second chooser
    // while the first is opening, and Chromium then shows none.
    zone.addEventListener("click", function (e) { if (e.target !== input) input.click(); });
    zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    input.addEventListener("change", function () { if (input.files.length) send(Array.from(input.files)); });
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer.files.length) send(Array.from(e.dataTransfer.files));
    });
  });

  // Share links: ask the server for a signed URL with the chosen lifetime.
  document.querySelectorAll("form.share").forEach(function (form) {
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      const output = form.querySelector("input[type=text]");
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "RequestVerificationToken": antiforgeryToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)),
      });
      if (!response.ok) {
        let reason = "HTTP " + response.status;
        try { const problem = await response.json(); reason = problem.detail || problem.title || reason; } catch { /* not a problem */ }
        output.value = "Could not create a link: " + reason;
        output.hidden = false;
        return;
      }
      const link = await response.json();
      output.value = new URL(link.url, window.location.href).href;
      output.title = "Expires " + new Date(link.expiresAt).toLocaleString();
      output.hidden = false;
      output.select();
    });
  });
})();
