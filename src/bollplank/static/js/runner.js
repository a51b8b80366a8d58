// The conversation runner: the timer on the screen, keys for the leader, and a queue that keeps
// the run going through network drops and reloads. The server holds the truth (run state with a
// version); this screen applies an action at once, queues it in localStorage with the version it
// acted on, and sends the queue in order. A 409 means another screen changed the run first: the
// queue is dropped and the screen is told. Without this file the page still works: its buttons
// post forms.
(() => {
  "use strict";
  const root = document.getElementById("runner");
  if (!root) return;
  const stateEl = document.getElementById("run-state");
  const texts = JSON.parse(document.getElementById("run-text").textContent);
  const key = `bollplank-run-${root.dataset.meeting}`;
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]");
  const $ = (id) => document.getElementById(id);

  let state = JSON.parse(stateEl.textContent);
  let offset = state.server_now - Date.now(); // server clock minus this screen's clock
  let queue = [];
  let sending = false;
  let online = true;
  let announcedUp = -1;
  let leaving = false;

  // --- storage: what a reload or a closed tab must not lose ---------------------------------
  function save() {
    try {
      localStorage.setItem(key, JSON.stringify({ state, queue, offset }));
    } catch (_e) {
      /* private mode or full: the run still works, it just cannot survive a reload offline */
    }
  }
  function restore() {
    let stored = null;
    try {
      stored = JSON.parse(localStorage.getItem(key) || "null");
    } catch (_e) {
      stored = null;
    }
    if (!stored || !stored.queue || !stored.queue.length) return;
    if (stored.queue[0].version === state.version) {
      // Reloaded with changes that never reached the server: carry on from them.
      queue = stored.queue;
      state = stored.state;
      offset = stored.offset;
    } else {
      tell(texts.dropped);
    }
  }

  // --- time ---------------------------------------------------------------------------------
  const serverNow = () => Date.now() + offset;
  function elapsed(s, at) {
    let sec = (at - s.step_started_at) / 1000 - s.paused_seconds;
    if (s.paused_at) sec -= Math.max(0, (at - s.paused_at) / 1000);
    return Math.max(0, sec);
  }
  function remaining(s, at) {
    const step = s.steps[s.step_index];
    return step.seconds + s.extended_seconds - elapsed(s, at);
  }
  function clock(seconds) {
    const whole = Math.ceil(Math.abs(seconds) - 0.001);
    const m = Math.floor(whole / 60);
    const sec = String(whole % 60).padStart(2, "0");
    return `${m}:${sec}`;
  }

  // --- actions, applied here exactly as the server applies them -----------------------------
  function apply(s, action, at) {
    const n = structuredClone(s);
    const step = n.steps[n.step_index];
    const round = step.round || [];
    const close = () => {
      step.used = Math.round(elapsed(n, at) + (step.used || 0));
    };
    const open = (i) => {
      n.step_index = i;
      n.step_started_at = at;
      n.paused_at = null;
      n.paused_seconds = 0;
      n.extended_seconds = 0;
      n.turn = 0;
    };
    switch (action) {
      case "pause":
        if (!n.paused_at) n.paused_at = at;
        break;
      case "resume":
        if (n.paused_at) {
          n.paused_seconds += (at - n.paused_at) / 1000;
          n.paused_at = null;
        }
        break;
      case "extend":
        n.extended_seconds += 60;
        break;
      case "next":
        close();
        if (n.step_index >= n.steps.length - 1) {
          n.status = "finished";
          n.paused_at = null;
        } else open(n.step_index + 1);
        break;
      case "back":
        if (n.step_index === 0) return null;
        close();
        open(n.step_index - 1);
        break;
      case "turn":
      case "pass":
        if (!round.length || n.turn >= round.length) return null;
        if (action === "pass") n.passes = [...n.passes, [n.step_index, round[n.turn].name]];
        n.turn += 1;
        break;
      case "finish":
        close();
        n.status = "finished";
        n.paused_at = null;
        break;
      default:
        return null;
    }
    n.version += 1;
    return n;
  }

  function act(action) {
    if (state.status !== "running") return;
    const at = Math.max(Math.round(serverNow()), state.paused_at || state.step_started_at);
    const next = apply(state, action, at);
    if (!next) {
      if (action === "turn" || action === "pass") tell(texts.round_done);
      return;
    }
    queue.push({ action, version: state.version, at });
    const stepChanged = next.step_index !== state.step_index;
    state = next;
    save();
    render(stepChanged);
    flush();
  }

  // --- the network --------------------------------------------------------------------------
  async function post(item) {
    const body = new FormData();
    body.append("action", item.action);
    body.append("version", String(item.version));
    body.append("at", String(item.at));
    return fetch(root.dataset.actUrl, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" },
      credentials: "same-origin",
    });
  }

  function adopt(server) {
    offset = server.server_now - Date.now();
    const stepChanged = server.step_index !== state.step_index || server.status !== state.status;
    state = server;
    save();
    render(stepChanged);
  }

  async function flush() {
    if (sending) return;
    sending = true;
    try {
      while (queue.length) {
        let response;
        try {
          response = await post(queue[0]);
        } catch (_e) {
          setOnline(false);
          setTimeout(flush, 3000);
          return;
        }
        if (response.status >= 500 || response.status === 403) {
          setOnline(false);
          setTimeout(flush, 5000);
          return;
        }
        let data;
        try {
          data = await response.json();
        } catch (_e) {
          // Not an answer from the runner (a proxy's error page, a rate limit): keep the queue
          // and try again, as when the network is down; dropping it would lose the action.
          setOnline(false);
          setTimeout(flush, 5000);
          return;
        }
        setOnline(true);
        queue.shift();
        if (response.status === 409) {
          queue = [];
          tell(data.message);
          adopt(data.state);
        } else if (response.status === 400) {
          // The server refused this one (e.g. the round was already done): follow it.
          queue = [];
          if (data.message) tell(data.message);
          adopt(data.state);
        } else if (!queue.length) {
          adopt(data.state);
        } else {
          offset = data.state.server_now - Date.now();
          save();
        }
      }
    } finally {
      sending = false;
      showNet();
    }
  }

  async function poll() {
    if (queue.length || sending || document.hidden) return;
    try {
      const response = await fetch(root.dataset.stateUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      // An action sent while this poll was under way has the newer news: a poll that went out
      // before an action was refused must not mark the screen online under it.
      if (queue.length || sending) return;
      setOnline(true);
      // Only a newer state: a poll answered just before this screen's own action was saved
      // must not take the screen back.
      if (data.state.version > state.version) {
        tell(texts.other_screen);
        adopt(data.state);
      } else {
        offset = data.state.server_now - Date.now();
      }
    } catch (_e) {
      setOnline(false);
    }
  }

  function setOnline(value) {
    online = value;
    showNet();
  }
  function showNet() {
    const net = $("runner-net");
    if (!net) return;
    let text = online ? "" : texts.offline;
    if (queue.length) {
      const waiting = queue.length === 1 ? texts.pending_one : texts.pending;
      text += ` (${queue.length} ${waiting})`;
    }
    if (net.textContent !== text.trim()) net.textContent = text.trim();
    root.classList.toggle("offline", !online);
  }
  function tell(message) {
    const el = $("runner-alert");
    if (el && message) el.textContent = message;
  }

  // --- drawing ------------------------------------------------------------------------------
  function render(stepChanged) {
    if (state.status !== "running") {
      // The finished page (takeaway form) is drawn by the server; go there once it knows.
      if (!queue.length && !leaving) {
        leaving = true; // once: a second reload would cut the first one short
        window.location.reload();
      }
      return;
    }
    const step = state.steps[state.step_index];
    $("step-progress").textContent = texts.step_of
      .replace("%(n)s", String(state.step_index + 1))
      .replace("%(total)s", String(state.steps.length));
    $("step-name").textContent = step.name;
    $("step-speaker").textContent = `${texts.speaks}: ${step.speaker_label}`;
    $("step-guide").textContent = step.guiding_text;
    // At the last step the case owner is shown where to write their takeaway.
    const takeaway = $("takeaway-info");
    if (takeaway) takeaway.hidden = state.step_index !== state.steps.length - 1;
    const round = step.round || [];
    $("round").hidden = !round.length;
    for (const b of root.querySelectorAll(".round-only")) b.hidden = !round.length;
    const list = $("round-list");
    list.replaceChildren(
      ...round.map((p, i) => {
        const li = document.createElement("li");
        const passed = state.passes.some(([s, name]) => s === state.step_index && name === p.name);
        li.textContent = passed ? `${p.name} – ${texts.passed}` : p.name;
        if (i === state.turn) {
          li.className = "current";
          li.setAttribute("aria-current", "true");
        } else if (i < state.turn) li.className = "done";
        return li;
      }),
    );
    const pause = $("btn-pause");
    pause.dataset.action = state.paused_at ? "resume" : "pause";
    pause.value = pause.dataset.action;
    pause.firstChild.textContent = `${state.paused_at ? texts.resume : texts.pause} `;
    for (const input of root.querySelectorAll("input[name=version]")) {
      input.value = String(state.version);
    }
    const items = $("step-list").children;
    for (let i = 0; i < items.length; i++) {
      items[i].classList.toggle("current", i === state.step_index);
      if (i === state.step_index) items[i].setAttribute("aria-current", "step");
      else items[i].removeAttribute("aria-current");
    }
    if (stepChanged) {
      announcedUp = -1;
      $("clock-note").textContent = texts.step_changed.replace("%(name)s", step.name);
    }
    tick();
    showNet();
  }

  function tick() {
    if (state.status !== "running") return;
    const left = remaining(state, state.paused_at || serverNow());
    const el = $("clock");
    const text = left >= 0 ? clock(left) : `+${clock(left)}`;
    if (el.textContent !== text) el.textContent = text;
    root.classList.toggle("overtime", left < 0);
    root.classList.toggle("paused", Boolean(state.paused_at));
    const note = $("clock-note");
    if (state.paused_at) {
      if (note.textContent !== texts.paused) note.textContent = texts.paused;
    } else if (left < 0) {
      if (announcedUp !== state.step_index) {
        note.textContent = texts.time_up;
        announcedUp = state.step_index;
      }
    } else if (note.textContent === texts.paused) {
      note.textContent = "";
    }
  }

  // --- the leader's hands -------------------------------------------------------------------
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    event.preventDefault();
    act(button.dataset.action);
  });
  const fullscreen = $("btn-fullscreen");
  if (fullscreen && document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", toggleFullscreen);
  }
  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else root.requestFullscreen().catch(() => {});
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (
      event.ctrlKey ||
      event.metaKey ||
      event.altKey ||
      target.closest("input, textarea, select, [contenteditable]")
    ) {
      return;
    }
    const keys = {
      " ": () => act(state.paused_at ? "resume" : "pause"),
      "+": () => act("extend"),
      ArrowRight: () => act("next"),
      ArrowLeft: () => act("back"),
      t: () => act("turn"),
      T: () => act("turn"),
      p: () => act("pass"),
      P: () => act("pass"),
      f: toggleFullscreen,
      F: toggleFullscreen,
    };
    const handler = keys[event.key];
    if (!handler) return;
    // Space on a focused button would also click it: one press, one action.
    event.preventDefault();
    handler();
  });
  window.addEventListener("online", () => flush());

  restore();
  if (state.status === "running") {
    render(false);
    setInterval(tick, 250);
    setInterval(poll, 4000);
  }
  save();
  flush();
})();
