// The coordinators' page: plain JavaScript over the service's own routes (/v1/validate,
// /v1/jobs, their events, result and files).  No framework, no build step, nothing fetched
// from elsewhere.  Profiles never leave this page except to this service.
"use strict";

(function () {
  const app = document.getElementById("app");
  const CSRF = app.dataset.csrf;
  const T = JSON.parse(app.dataset.i18n);
  const $ = (id) => document.getElementById(id);
  const PHASES = {
    queued: [0, 0], reading: [0, 5], scoring: [5, 40], solving: [40, 80],
    explaining: [80, 95], writing: [95, 100],
  };

  const state = {
    checked: null,        // what /v1/validate answered for the files on screen
    loaded: null,         // the settings as read from the files (to tell what was changed)
    configDirty: true,    // a new rules file was chosen: show its settings after the check
    accepted: null,       // {id, result}: the current run (downloads)
    candidate: null,      // {id, result}: a new run waiting to be accepted
    pinned: [],
    forbidden: [],
    neverAgain: [],       // do_not_match_again pairs of the uploaded current pairs (kept excluded)
    job: null,            // the running job's id
    events: null,
    open: new Set(),      // pairs whose explanation is shown
  };

  function fmt(key, values) {
    return (T[key] || key).replace(/\{(\w+)\}/g, (_, k) => (values && k in values ? values[k] : ""));
  }
  // a count in words: the catalogue's KEY_one or KEY_other, by the page language's plural rules
  // ("1 person", "0 personne", "2 people"), with {n} and any other values filled in
  const PLURAL = new Intl.PluralRules(document.documentElement.lang);
  function count(key, n, values) {
    return fmt(key + (PLURAL.select(n) === "one" ? "_one" : "_other"), { n, ...values });
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children) node.append(child);
    return node;
  }
  const NUMBER = new Intl.NumberFormat(document.documentElement.lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const num = (v) => (v == null ? "" : NUMBER.format(v));
  const key = (p) => p.mentee_id + "\u0000" + p.mentor_id;
  // engine/_incremental.py's reason for a current pair marked do_not_match_again
  const NEVER_AGAIN = "ended; never to be paired again";

  async function api(path, options) {
    const response = await fetch(path, {
      credentials: "same-origin",
      ...options,
      headers: { "X-CSRF-Token": CSRF, Accept: "application/json", ...((options || {}).headers || {}) },
    });
    if (response.status === 401) {
      alert(T.session_expired);
      window.location.assign("/");
      throw new Error("signed out");
    }
    return response;
  }

  // -- inputs ---------------------------------------------------------------------------------

  function settingsNow() {
    const criteria = {};
    for (const row of document.querySelectorAll("tr[data-criterion]")) {
      const name = row.dataset.criterion;
      criteria[name] = {
        weight: Number($("weight-" + name).value),
        hard: $("hard-" + name).checked,
      };
    }
    return { method: $("method").value, min_score: Number($("min_score").value), criteria };
  }
  function showSettings(settings) {
    $("method").value = settings.method;
    $("min_score").value = settings.min_score;
    for (const [name, c] of Object.entries(settings.criteria)) {
      if (!$("weight-" + name)) continue;
      $("weight-" + name).value = c.weight;
      $("hard-" + name).checked = c.hard;
    }
  }
  function settingsChanged() {
    return JSON.stringify(settingsNow()) !== JSON.stringify(state.loaded);
  }

  function csvOf(pairs, status) {
    const quote = (v) => (/[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
    const rows = pairs.map((p) => (status ? [...p, status] : p).map(quote).join(","));
    return "mentee_id,mentor_id" + (status ? ",status" : "") + "\n" + rows.join("\n") + "\n";
  }

  // The run's inputs: the files as chosen; the rules file as is unless a setting was changed
  // on the page, in which case the page writes the same rules with those settings (JSON).
  // A first run sends the current pairs file if one was chosen; a run again sends the accepted
  // run's pairs as the current pairs instead (the CLI's --current), so that every pair still
  // valid is kept and only what the pins and exclusions force changes.
  function payload(withPairs) {
    const data = new FormData();
    const mentors = $("mentors").files[0];
    const mentees = $("mentees").files[0];
    const config = $("config").files[0];
    if (mentors) data.append("mentors", mentors, mentors.name);
    if (mentees) data.append("mentees", mentees, mentees.name);
    if (state.loaded && settingsChanged()) {
      const rules = JSON.parse(JSON.stringify((config && state.checked && state.checked.config) || {}));
      const now = settingsNow();
      rules.program = { ...(rules.program || {}), method: now.method, min_score: now.min_score };
      rules.criteria = rules.criteria || {};
      for (const [name, c] of Object.entries(now.criteria)) {
        rules.criteria[name] = { ...(rules.criteria[name] || {}), weight: c.weight, hard: c.hard };
      }
      data.append("config", new Blob([JSON.stringify(rules, null, 2)], { type: "application/json" }), "program.json");
    } else if (config) {
      data.append("config", config, config.name);
    }
    const current = $("current").files[0];
    if (withPairs && state.accepted && state.accepted.result.pairs.length) {
      const pairs = state.accepted.result.pairs.map((p) => [p.mentee_id, p.mentor_id]);
      data.append("current", new Blob([csvOf(pairs, "active")], { type: "text/csv" }), "current.csv");
    } else if (current) {
      data.append("current", current, current.name);
    }
    if (withPairs) {
      const forbidden = [...state.forbidden, ...state.neverAgain.filter((p) => !state.forbidden.some((f) => same(f, p)))];
      if (state.pinned.length) data.append("pinned", new Blob([csvOf(state.pinned)], { type: "text/csv" }), "pinned.csv");
      if (forbidden.length) data.append("forbidden", new Blob([csvOf(forbidden)], { type: "text/csv" }), "forbidden.csv");
    }
    data.append("csrf", CSRF);
    return data;
  }

  function showProblems(problems, box) {
    const section = $("problems");
    const body = section.querySelector("tbody");
    body.replaceChildren();
    for (const p of problems) {
      body.append(el("tr", {},
        el("td", { text: p.file || "" }), el("td", { class: "num", text: p.row == null ? "" : String(p.row) }),
        el("td", { text: p.column || "" }), el("td", { text: p.value == null ? "" : String(p.value) }),
        el("td", { text: p.expected || "" }), el("td", { text: p.message || "" })));
    }
    $("problems-count").textContent = count("problems_count", problems.length);
    section.hidden = problems.length === 0;
    if (problems.length && box !== false) section.scrollIntoView({ block: "start" });
  }

  async function check() {
    const status = $("check-status");
    if (!$("mentors").files[0] || !$("mentees").files[0]) {
      status.textContent = T.files_missing;
      status.className = "status error";
      return false;
    }
    status.textContent = T.checking;
    status.className = "status";
    const response = await api("/v1/validate", { method: "POST", body: payload(false) });
    const body = await response.json();
    if (!response.ok) {
      state.checked = null;
      $("run").disabled = true;
      $("run-hint").hidden = false;
      status.textContent = body.problems && body.problems.length ? count("problems_count", body.problems.length) : fmt("error", { message: body.detail || response.status });
      status.className = "status error";
      showProblems(body.problems || []);
      return false;
    }
    state.checked = body;
    if (state.configDirty) {
      showSettings(body.settings);
      state.loaded = settingsNow();
      state.configDirty = false;
    }
    showProblems([]);
    status.textContent = fmt("files_ok", { mentors: body.mentors, mentees: body.mentees });
    status.className = "status ok";
    $("run").disabled = false;
    $("run-hint").hidden = true;
    return true;
  }

  // -- a run ----------------------------------------------------------------------------------

  function setProgress(info) {
    const phase = info.status === "queued" ? "queued" : (info.progress && info.progress.phase) || "reading";
    const [a, b] = PHASES[phase] || [0, 100];
    let value = a + (b - a) * ((info.progress && info.progress.fraction) || 0);
    let text = T["phase_" + phase] || phase;
    if (info.status !== "queued" && info.status !== "running") {
      value = info.status === "succeeded" ? 100 : value;
      text = T["status_" + info.status] || info.status;
    }
    $("progress").value = Math.round(value);
    $("progress-box").dataset.status = info.status;
    $("progress-text").textContent = text + (info.status === "running" ? " — " + Math.round(value) + " %" : "");
  }

  function busy(running) {
    $("run").disabled = running || !state.checked;
    $("rerun").disabled = running || !state.accepted;
    $("cancel").hidden = !running;
    $("check").disabled = running;
  }

  async function run(again) {
    $("run-error").hidden = true;
    $("run-error").className = "error";
    if (!(await check())) return;
    busy(true);
    $("progress-box").hidden = false;
    setProgress({ status: "queued" });
    const data = payload(again);
    data.append("kind", "match");
    // what the run is compared with: the accepted run (a run again sends it as the current pairs)
    const sent = { again: Boolean(again && state.accepted), forbidden: again ? state.forbidden.map((p) => [...p]) : [] };
    const response = await api("/v1/jobs", { method: "POST", body: data });
    const body = await response.json();
    if (!response.ok) {
      busy(false);
      showProblems(body.problems || []);
      $("run-error").textContent = fmt("error", { message: body.detail || response.status });
      $("run-error").hidden = false;
      return;
    }
    state.job = body.id;
    follow(body.id, sent);
  }

  function follow(id, sent) {
    const source = new EventSource("/v1/jobs/" + encodeURIComponent(id) + "/events");
    state.events = source;
    const update = (event) => setProgress(JSON.parse(event.data));
    source.addEventListener("progress", update);
    source.addEventListener("end", async (event) => {
      source.close();
      const info = JSON.parse(event.data);
      setProgress(info);
      state.job = null;
      busy(false);
      if (info.status === "succeeded") await finished(id, sent);
      else if (info.status === "failed" && info.error) {
        $("run-error").textContent = fmt("error", { message: info.error.message || info.error.title || "" });
        $("run-error").hidden = false;
        showProblems(info.error.problems || []);
      }
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && state.job === id) {
        busy(false);
      }
    };
  }

  async function cancel() {
    if (!state.job) return;
    const response = await api("/v1/jobs/" + encodeURIComponent(state.job) + "/cancel", { method: "POST" });
    if (response.ok) setProgress(await response.json());
  }

  async function finished(id, sent) {
    const response = await api("/v1/jobs/" + encodeURIComponent(id) + "/result");
    const result = await response.json();
    const done = { id, result, ...sent };
    state.open.clear();
    if (!state.accepted) {
      state.accepted = done;
      remember(done);
      showDownloads();
      showReview();
      if (result.changes && result.changes.length) showChanges(false);
      else $("review").scrollIntoView({ block: "start" });
    } else {
      state.candidate = done;
      showReview();
      showChanges(true);
    }
    busy(false);
  }

  // -- review ---------------------------------------------------------------------------------

  function onScreen() {
    return state.candidate || state.accepted;
  }
  function region(role, id) {
    const regions = (state.checked && state.checked.regions && state.checked.regions[role]) || {};
    return regions[id] || "";
  }

  function showReview() {
    const shown = onScreen();
    if (!shown) return;
    $("review").hidden = false;
    const s = shown.result.summary;
    $("summary").textContent = fmt("summary_line", {
      pairs: count("summary_pairs", s.pairs), unmatched: count("summary_unmatched", s.unmatched), mean: s.mean_score == null ? "—" : num(Number(s.mean_score)),
    });
    const frameUrl = "/web/jobs/" + encodeURIComponent(shown.id) + "/report.html";
    if ($("report").getAttribute("src") !== frameUrl) $("report").setAttribute("src", frameUrl);
    $("report-link").href = frameUrl;
    const mentorSelect = $("f-mentor");
    const regionSelect = $("f-region");
    const keepMentor = mentorSelect.value;
    const keepRegion = regionSelect.value;
    const mentors = [...new Set(shown.result.pairs.map((p) => p.mentor_id))].sort();
    const regions = new Set();
    for (const p of shown.result.pairs) {
      regions.add(region("mentees", p.mentee_id));
      regions.add(region("mentors", p.mentor_id));
    }
    regions.delete("");
    mentorSelect.replaceChildren(el("option", { value: "", text: T.all }), ...mentors.map((m) => el("option", { value: m, text: m })));
    regionSelect.replaceChildren(el("option", { value: "", text: T.all }), ...[...regions].sort().map((r) => el("option", { value: r, text: r })));
    mentorSelect.value = mentors.includes(keepMentor) ? keepMentor : "";
    regionSelect.value = regions.has(keepRegion) ? keepRegion : "";
    showPairs();
    showLists();
  }

  function criterionName(name) {
    return T["crit_" + name] || name;
  }

  function explanation(p) {
    const rows = Object.entries(p.criteria).map(([name, value]) =>
      el("tr", {},
        el("th", { scope: "row", text: criterionName(name) }),
        el("td", { class: "num", text: value == null ? T.not_used : num(value) }),
        el("td", {}, value == null ? "" : el("meter", { min: "0", max: "1", value: String(value), "aria-hidden": "true" }))));
    return el("div", { class: "explanation", "data-testid": "explanation", id: "why-" + p.mentee_id + "-" + p.mentor_id },
      el("h4", { text: fmt("explanation_of", { mentee: p.mentee_id, mentor: p.mentor_id }) }),
      el("table", {}, el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: T.criterion }), el("th", { scope: "col", text: T.col_score }), el("th", { scope: "col", text: "" }))),
        el("tbody", {}, ...rows)),
      el("p", {}, el("strong", { text: T.reasons }), " — ", p.reasons));
  }

  function showPairs() {
    const shown = onScreen();
    const mentor = $("f-mentor").value;
    const wanted = $("f-region").value;
    const low = Number($("f-score").value) || 0;
    const body = $("pairs").querySelector("tbody");
    body.replaceChildren();
    let listed = 0;
    for (const p of shown.result.pairs) {
      const re = region("mentees", p.mentee_id);
      const rm = region("mentors", p.mentor_id);
      if (mentor && p.mentor_id !== mentor) continue;
      if (wanted && re !== wanted && rm !== wanted) continue;
      if ((p.score || 0) < low) continue;
      listed += 1;
      const k = key(p);
      const isOpen = state.open.has(k);
      const whyId = "why-" + p.mentee_id + "-" + p.mentor_id;
      const pair = [p.mentee_id, p.mentor_id];
      const row = el("tr", { "data-mentee": p.mentee_id, "data-mentor": p.mentor_id },
        el("td", {}, p.mentee_id, p.pinned && mine(pair) ? el("span", { class: "badge", text: T.pinned_badge }) : ""),
        el("td", { text: p.mentor_id }),
        el("td", { text: (re || "—") + " / " + (rm || "—") }),
        el("td", { class: "num", text: num(p.score) }),
        el("td", { class: "actions" },
          el("button", { type: "button", class: "small secondary", "aria-expanded": String(isOpen), "aria-controls": whyId, "data-action": "explain",
            onclick: () => { if (isOpen) state.open.delete(k); else state.open.add(k); showPairs(); focusAction(p, "explain"); },
            text: isOpen ? T.hide : T.explain }),
          el("button", { type: "button", class: "small secondary", "data-action": "pin", onclick: () => pin(pair), text: T.pin }),
          el("button", { type: "button", class: "small danger", "data-action": "forbid", onclick: () => forbid(pair), text: T.forbid })));
      body.append(row);
      if (isOpen) body.append(el("tr", { class: "explain-row" }, el("td", { colspan: "5" }, explanation(p))));
    }
    $("pairs-shown").textContent = count("pairs_shown", shown.result.pairs.length, { shown: listed });
  }

  function focusAction(p, action) {
    const row = $("pairs").querySelector('tr[data-mentee="' + CSS.escape(p.mentee_id) + '"][data-mentor="' + CSS.escape(p.mentor_id) + '"]');
    if (row) row.querySelector('[data-action="' + action + '"]').focus();
  }

  const same = (a, b) => a[0] === b[0] && a[1] === b[1];
  // a pair the user pinned (the run also holds the current pairs it kept in place: no badge)
  const mine = (pair) => state.pinned.some((p) => same(p, pair));
  function pin(pair) {
    state.forbidden = state.forbidden.filter((p) => !same(p, pair));
    if (!state.pinned.some((p) => same(p, pair))) state.pinned.push(pair);
    showLists();
  }
  function forbid(pair) {
    state.pinned = state.pinned.filter((p) => !same(p, pair));
    if (!state.forbidden.some((p) => same(p, pair))) state.forbidden.push(pair);
    showLists();
  }
  function showLists() {
    for (const [name, list] of [["pinned", state.pinned], ["forbidden", state.forbidden]]) {
      const ul = $(name + "-list");
      ul.replaceChildren();
      if (!list.length) ul.append(el("li", { class: "hint", text: T.none }));
      for (const pair of list) {
        ul.append(el("li", {}, pair[0] + " — " + pair[1] + " ",
          el("button", { type: "button", class: "small secondary", "aria-label": T.remove + " " + pair[0] + " — " + pair[1], text: T.remove,
            onclick: () => { state[name] = state[name].filter((p) => !same(p, pair)); showLists(); } })));
      }
    }
    $("rerun").disabled = !state.accepted || Boolean(state.job);
  }

  // -- changes and downloads ------------------------------------------------------------------

  // What changed: the server's changes (changes.csv) when the run had current pairs, else
  // the difference from the accepted run.  `again`: a run to accept or discard; otherwise
  // the first run against uploaded current pairs, already the current one.
  function showChanges(again) {
    const shown = again ? state.candidate : state.accepted;
    // a first run started again with the accepted run on screen was compared with the uploaded
    // current pairs, not with the accepted run: the box then shows the difference from it
    let changes = again && !shown.again ? [] : shown.result.changes || [];
    if (!changes.length && again) {
      const before = new Map(state.accepted.result.pairs.map((p) => [key(p), p]));
      const after = new Set(state.candidate.result.pairs.map(key));
      changes = [
        ...state.candidate.result.pairs.map((p) => ({ ...p, change: before.has(key(p)) ? "kept" : "new" })),
        ...[...before.values()].filter((p) => !after.has(key(p))).map((p) => ({ ...p, change: "ended", reason: "" })),
      ];
    }
    const scores = new Map(shown.result.pairs.map((p) => [key(p), p.score]));
    const byYou = new Set((shown.forbidden || []).map((p) => p[0] + "\u0000" + p[1]));
    const section = $("changes");
    for (const kind of ["kept", "new", "ended", "dropped"]) {
      section.querySelector(`[data-testid="${kind}"]`).textContent = changes.filter((c) => c.change === kind).length;
    }
    // new and ended pairs side by side, each list as long as it is (no scroll bar of its own)
    const lists = [
      ["new", changes.filter((c) => c.change === "new"), (c) => el("td", { class: "num", text: num(scores.get(key(c))) })],
      ["ended", changes.filter((c) => c.change === "ended" || c.change === "dropped"),
        (c) => el("td", { text: byYou.has(key(c)) ? T.forbidden_by_you : c.reason || "" })],
    ];
    for (const [list, rows, last] of lists) {
      const body = section.querySelector(`table[data-list="${list}"] tbody`);
      body.replaceChildren();
      for (const c of rows) {
        body.append(el("tr", { class: c.change, "data-change": c.change, "data-mentee": c.mentee_id, "data-mentor": c.mentor_id },
          el("td", { text: c.mentee_id }), el("td", { text: c.mentor_id }), last(c)));
      }
      if (!rows.length) body.append(el("tr", {}, el("td", { colspan: "3", class: "hint", text: "–" })));
    }
    const intro = $("changes-intro");
    intro.textContent = again ? intro.dataset.again : intro.dataset.first;
    $("change-buttons").hidden = !again;
    section.hidden = false;
    section.scrollIntoView({ block: "start" });
    if (again) $("accept").focus();
  }

  // a run becomes the current one: its do_not_match_again pairs stay excluded in later runs
  function remember(done) {
    for (const c of done.result.changes || []) {
      const pair = [c.mentee_id, c.mentor_id];
      if (c.change === "ended" && c.reason === NEVER_AGAIN && !state.neverAgain.some((p) => same(p, pair))) {
        state.neverAgain.push(pair);
      }
    }
  }

  function accept() {
    state.accepted = state.candidate;
    remember(state.accepted);
    state.candidate = null;
    $("changes").hidden = true;
    showDownloads();
    showReview();
    $("run-error").hidden = false;
    $("run-error").className = "ok";
    $("run-error").textContent = T.accepted;
  }
  function discard() {
    state.candidate = null;
    $("changes").hidden = true;
    showReview();
  }

  function showDownloads() {
    $("downloads").hidden = false;
    for (const link of document.querySelectorAll("a[data-file]")) {
      link.href = "/v1/jobs/" + encodeURIComponent(state.accepted.id) + "/files/" + link.dataset.file;
    }
    $("changes-file").hidden = !(state.accepted.result.changes || []).length;
  }

  // -- wiring ---------------------------------------------------------------------------------

  // new people: the runs, pins and exclusions on screen were about the previous files
  function reset() {
    state.accepted = null;
    state.candidate = null;
    state.pinned = [];
    state.forbidden = [];
    state.neverAgain = [];
    state.open.clear();
    for (const id of ["review", "changes", "downloads"]) $(id).hidden = true;
    $("report").removeAttribute("src");
    $("run-error").hidden = true;
  }

  for (const id of ["mentors", "mentees", "config", "current"]) {
    $(id).addEventListener("change", () => {
      state.checked = null;
      if (id === "config") state.configDirty = true;
      else reset();
      $("run").disabled = true;
      $("run-hint").hidden = false;
      $("check-status").textContent = "";
    });
  }
  state.loaded = settingsNow();
  $("check").addEventListener("click", () => check().catch(fail));
  $("run").addEventListener("click", () => run(false).catch(fail));
  $("rerun").addEventListener("click", () => run(true).catch(fail));
  $("cancel").addEventListener("click", () => cancel().catch(fail));
  $("accept").addEventListener("click", accept);
  $("discard").addEventListener("click", discard);
  for (const id of ["f-mentor", "f-region", "f-score"]) $(id).addEventListener("input", showPairs);

  function fail(error) {
    busy(false);
    $("run-error").className = "error";
    $("run-error").textContent = fmt("error", { message: error.message });
    $("run-error").hidden = false;
  }
})();
