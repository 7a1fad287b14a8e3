// modelsync: filtering, sorting and relative times on the server-rendered page. No framework,
// no network: every row is already in the page. Filter state lives in the URL, so a filtered
// view can be shared as a link.
(function () {
  "use strict";

  function relative(iso) {
    var t = Date.parse(iso);
    if (isNaN(t)) return null;
    var s = Math.max(0, (Date.now() - t) / 1000);
    if (s < 90) return Math.round(s) + " s ago";
    if (s < 5400) return Math.round(s / 60) + " min ago";
    if (s < 172800) return (s / 3600).toFixed(s < 36000 ? 1 : 0) + " h ago";
    return Math.round(s / 86400) + " d ago";
  }

  function times() {
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var text = relative(el.getAttribute("datetime"));
      if (text) {
        el.textContent = text;
        el.title = new Date(el.getAttribute("datetime")).toLocaleString();
      }
    });
  }

  var table = document.getElementById("table");
  if (!table) { times(); return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var controls = {
    search: document.getElementById("q"),
    provider: document.getElementById("provider"),
    capability: document.getElementById("capability"),
    min_context: document.getElementById("context"),
  };

  function state() {
    return {
      search: controls.search.value.trim().toLowerCase(),
      provider: controls.provider.value,
      capability: controls.capability.value,
      min_context: parseInt(controls.min_context.value || "0", 10),
    };
  }

  function apply() {
    var s = state();
    var terms = s.search ? s.search.split(/\s+/) : [];
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = true;
      if (s.provider && tr.dataset.provider !== s.provider) ok = false;
      if (ok && s.capability && (" " + tr.dataset.caps + " ").indexOf(" " + s.capability + " ") < 0) ok = false;
      if (ok && s.min_context) {
        var ctx = parseInt(tr.dataset.context || "0", 10);
        if (!(ctx >= s.min_context)) ok = false;
      }
      if (ok && terms.length) {
        var hay = tr.dataset.provider + " " + tr.dataset.text;
        for (var i = 0; i < terms.length; i++) if (hay.indexOf(terms[i]) < 0) { ok = false; break; }
      }
      tr.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown === rows.length ? rows.length + " shown" : shown + " of " + rows.length + " shown";
    none.hidden = shown !== 0;
    remember(s);
  }

  function remember(s) {
    var params = new URLSearchParams(location.search);
    ["search", "provider", "capability", "min_context"].forEach(function (k) {
      var v = k === "min_context" ? (s[k] ? String(s[k]) : "") : s[k];
      if (v) params.set(k, v); else params.delete(k);
    });
    var q = params.toString();
    history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    if (params.get("search")) controls.search.value = params.get("search");
    ["provider", "capability", "min_context"].forEach(function (k) {
      var v = params.get(k);
      if (v && controls[k].querySelector('option[value="' + CSS.escape(v) + '"]')) controls[k].value = v;
    });
  }

  // Sorting: numbers numerically with unknown last whichever way; text alphabetically.
  var current = { key: null, dir: 1 };
  function sortBy(th) {
    var key = th.dataset.sort, numeric = th.dataset.type === "num";
    current.dir = current.key === key ? -current.dir : (numeric && key === "context" ? -1 : 1);
    current.key = key;
    table.querySelectorAll("th[data-sort]").forEach(function (other) {
      other.setAttribute("aria-sort", other === th ? (current.dir > 0 ? "ascending" : "descending") : "none");
    });
    var dir = current.dir;
    rows.sort(function (a, b) {
      if (numeric) {
        var x = parseFloat(a.dataset[key]), y = parseFloat(b.dataset[key]);
        var xn = isNaN(x), yn = isNaN(y);
        if (xn || yn) return xn === yn ? 0 : (xn ? 1 : -1);
        return (x - y) * dir;
      }
      var p = (a.dataset[key] || "").localeCompare(b.dataset[key] || "");
      return (p || a.dataset.id.localeCompare(b.dataset.id)) * dir;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (tr) { frag.appendChild(tr); });
    body.appendChild(frag);
  }

  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  var timer = null;
  controls.search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 60);
  });
  ["provider", "capability", "min_context"].forEach(function (k) {
    controls[k].addEventListener("change", apply);
  });
  document.getElementById("reset").addEventListener("click", function () {
    controls.search.value = "";
    controls.provider.value = controls.capability.value = controls.min_context.value = "";
    apply();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== controls.search) {
      e.preventDefault();
      controls.search.focus();
    }
  });

  restore();
  apply();
  times();
  setInterval(times, 60000);
})();
