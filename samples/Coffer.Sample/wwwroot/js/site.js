// Uploads with drag-and-drop and a real progress bar (XMLHttpRequest reports upload progress; fetch does not).
// A drop zone with data-ticket-url sends each file straight to the store (Coffer's browser module), then commits it.
import { upload as directUpload } from "/_content/Coffer.AspNetCore/coffer-upload.js";

{

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

  function formatBytes(bytes) {
    const units = ["B", "KB", "MB", "GB"];
    let unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) { bytes /= 1024; unit++; }
    return (unit === 0 ? bytes : bytes.toFixed(1)) + " " + units[unit];
  }

  function formatSeconds(seconds) {
    seconds = Math.ceil(seconds);
    if (seconds < 60) return seconds + " s";
    const minutes = Math.floor(seconds / 60);
    return minutes < 60 ? minutes + " min " + (seconds % 60) + " s" : Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  // The label changes with the percentage only: it is a live region, and a screen reader would read every change.
  function showProgress(zone, file, progress) {
    const percent = progress.total ? Math.floor((progress.loaded / progress.total) * 100) : 100;
    const bar = zone.querySelector(".progress > div");
    if (bar.parentElement.getAttribute("aria-valuenow") === String(percent)) return;
    bar.style.width = percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
    let text = "Uploading " + file.name + ": " + percent + "%";
    if (progress.bytesPerSecond > 0) text += " · " + formatBytes(progress.bytesPerSecond) + "/s";
    if (progress.secondsLeft !== null && progress.secondsLeft !== undefined && percent < 100) text += " · " + formatSeconds(progress.secondsLeft) + " left";
    zone.querySelector(".progress-label").textContent = text;
  }

  // Straight to the store, then the commit: POST {endpoint} with the ticket makes the row.
  async function sendDirect(zone, file, signal) {
    const headers = { "RequestVerificationToken": antiforgeryToken() };
    const ticket = await directUpload(file, {
      ticketUrl: zone.dataset.ticketUrl, headers, signal, resumeKey: zone.dataset.resumeKey || "",
      onProgress: function (p) { showProgress(zone, file, p); },
    });
    const response = await fetch(zone.dataset.endpoint, {
      method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ ticket }),
    });
    if (!response.ok) {
      let reason = "The file was uploaded but could not be saved (HTTP " + response.status + ").";
      try { const problem = await response.json(); reason = problem.detail || problem.title || reason; } catch { /* not a problem */ }
      throw new Error(reason);
    }
  }

  function upload(zone, file) {
    return new Promise(function (resolve, reject) {
      const data = new FormData();
      data.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", zone.dataset.endpoint);
      xhr.setRequestHeader("RequestVerificationToken", antiforgeryToken());
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        showProgress(zone, file, { loaded: e.loaded, total: e.total });
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

    const cancel = zone.parentElement.querySelector(".cancel-upload");
    let running = null;
    if (cancel) cancel.addEventListener("click", function () { if (running) running.abort(); });

    async function send(files) {
      if (running) return; // one batch at a time: the bar shows one upload
      errors.textContent = "";
      for (const file of files) {
        running = new AbortController();
        if (cancel) cancel.hidden = !zone.dataset.ticketUrl;
        try {
          await (zone.dataset.ticketUrl ? sendDirect(zone, file, running.signal) : upload(zone, file));
        } catch (e) {
          resetProgress(zone);
          errors.textContent = running.signal.aborted ? "Cancelled the upload of " + file.name + "." : file.name + ": " + e.message;
          return;
        } finally {
          if (cancel) cancel.hidden = true;
          running = null;
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
}
