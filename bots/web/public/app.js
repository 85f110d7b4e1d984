// Minqing web chat page: plain browser JavaScript, no build step, nothing from elsewhere.
// It speaks Botkit's web-client protocol over a websocket at /ws:
//   out  { type: 'hello' | 'welcome_back' | 'reconnect' | 'message', user, messageId, text | action | media }
//   in   { type: 'message', text, quick_replies: [{ title, payload }] }, { type: 'ack', messageId }, { type: 'error', error }
// The user id, the transcript and the messages not yet acknowledged live in localStorage,
// so a reload (or a lost connection) keeps the conversation and resends what was not received.
'use strict';

(() => {
  const USER_KEY = 'minqing.web.user';
  const LOG_KEY = 'minqing.web.transcript';
  const PENDING_KEY = 'minqing.web.pending';
  const MAX_LOG = 300;
  const MAX_IMAGE = 5 * 1024 * 1024;
  const TEXT = {
    tooBig: '图片太大，请发送 5 MB 以内的照片 / the picture is too large: the limit is 5 MB',
    notImage: '这不是图片，请选择照片 / that is not a picture: please pick a photo',
    uploadFailed: '照片没有发出去，请重试 / the photo could not be sent, please try again',
    uploading: '正在上传照片… / uploading the photo…',
  };

  const $ = (id) => document.getElementById(id);
  const logView = $('log');
  const form = $('composer');
  const input = $('text');
  const photo = $('photo');
  const status = $('status');
  const hint = $('hint');

  function read(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }
  function write(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Storage full or disabled: the chat still works, it just forgets on reload.
    }
  }
  function load(key, fallback) {
    try {
      const value = JSON.parse(read(key) || 'null');
      return Array.isArray(value) ? value : fallback;
    } catch {
      return fallback;
    }
  }
  function randomId() {
    // getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  let user = read(USER_KEY);
  if (!user || !/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/.test(user)) {
    user = 'w' + randomId();
    write(USER_KEY, user);
  }
  let transcript = load(LOG_KEY, []);
  let pending = load(PENDING_KEY, []);
  let socket = null;
  let inflight = null;
  let attempt = 0;
  let connectedOnce = false;

  // ---- the conversation on screen ----

  function element(entry) {
    const row = document.createElement('div');
    row.className = 'msg ' + entry.who + (entry.pending ? ' pending' : '');
    if (entry.id) row.dataset.id = entry.id;
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    if (entry.photo) {
      const img = document.createElement('img');
      img.src = entry.photo;
      img.alt = '照片 photo';
      bubble.append(img);
    } else {
      bubble.textContent = entry.text;
    }
    row.append(bubble);
    if (entry.who === 'bot' && entry.choices && entry.choices.length) {
      const box = document.createElement('div');
      box.className = 'choices';
      for (const choice of entry.choices) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = choice.title;
        button.addEventListener('click', () => choose(choice));
        box.append(button);
      }
      row.append(box);
    }
    return row;
  }

  /** Only the bot's latest choices can be tapped, until the user answers them. */
  function refresh() {
    hint.hidden = transcript.length > 0;
    const rows = Array.from(logView.querySelectorAll('.msg'));
    let live = -1;
    rows.forEach((row, i) => {
      if (row.classList.contains('bot')) live = i;
      else if (row.classList.contains('me')) live = -1;
    });
    rows.forEach((row, i) => {
      for (const button of row.querySelectorAll('.choices button')) button.disabled = i !== live;
    });
    logView.scrollTop = logView.scrollHeight;
  }

  function add(entry) {
    transcript.push(entry);
    if (transcript.length > MAX_LOG) transcript = transcript.slice(-MAX_LOG);
    write(LOG_KEY, JSON.stringify(transcript));
    logView.append(element(entry));
    refresh();
  }

  function markDone(messageId) {
    for (const entry of transcript) if (entry.id === messageId) entry.pending = false;
    write(LOG_KEY, JSON.stringify(transcript));
    const row = logView.querySelector(`[data-id="${messageId}"]`);
    if (row) row.classList.remove('pending');
  }

  // ---- sending, one message at a time, each until acknowledged ----

  function sendMessage(fields, entry) {
    const messageId = randomId();
    pending.push({ ...fields, messageId, timestamp: Date.now() });
    write(PENDING_KEY, JSON.stringify(pending));
    add({ ...entry, id: messageId, pending: true });
    pump();
  }

  function pump() {
    if (!socket || socket.readyState !== WebSocket.OPEN || inflight || !pending.length) return;
    const frame = pending[0];
    inflight = frame.messageId;
    socket.send(JSON.stringify({ type: 'message', user, channel: 'socket', ...frame }));
  }

  function settled(messageId) {
    pending = pending.filter((f) => f.messageId !== messageId);
    write(PENDING_KEY, JSON.stringify(pending));
    markDone(messageId);
    if (inflight === messageId) inflight = null;
    pump();
  }

  function choose(choice) {
    sendMessage({ action: choice.payload, label: choice.title }, { who: 'me', text: choice.title });
  }

  // ---- the connection ----

  function connect() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      status.hidden = true;
      const type = connectedOnce ? 'reconnect' : transcript.length ? 'welcome_back' : 'hello';
      connectedOnce = true;
      ws.send(JSON.stringify({ type, user, channel: 'socket' }));
      inflight = null;
      pump();
    });
    ws.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'message') {
        const choices = Array.isArray(message.quick_replies)
          ? message.quick_replies.map((q) => ({ title: String(q.title), payload: String(q.payload) }))
          : [];
        add({ who: 'bot', text: String(message.text ?? ''), choices });
      } else if (message.type === 'ack') {
        settled(message.messageId);
      } else if (message.type === 'error') {
        add({ who: 'note', text: String(message.error) });
        // A refused message is not resent: the note says what to do instead.
        const failed = message.messageId || inflight;
        if (failed) settled(failed);
      }
    });
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null;
      inflight = null;
      status.hidden = false;
      setTimeout(connect, Math.min(10_000, 500 * 2 ** attempt++));
    });
  }

  // ---- input ----

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    sendMessage({ text }, { who: 'me', text });
  });

  photo.addEventListener('change', async () => {
    const file = photo.files && photo.files[0];
    photo.value = '';
    if (!file) return;
    if (!file.type.startsWith('image/')) return add({ who: 'note', text: TEXT.notImage });
    if (file.size > MAX_IMAGE) return add({ who: 'note', text: TEXT.tooBig });
    status.textContent = TEXT.uploading;
    status.hidden = false;
    try {
      const response = await fetch('/api/uploads', { method: 'POST', headers: { 'content-type': file.type }, body: file });
      const body = await response.json().catch(() => ({}));
      if (!response.ok || typeof body.url !== 'string') return add({ who: 'note', text: body.error || TEXT.uploadFailed });
      sendMessage({ media: [{ kind: 'photo', ref: body.url }] }, { who: 'me', photo: body.url });
    } catch {
      add({ who: 'note', text: TEXT.uploadFailed });
    } finally {
      status.textContent = '正在连接… / connecting…';
      status.hidden = Boolean(socket && socket.readyState === WebSocket.OPEN);
    }
  });

  for (const entry of transcript) logView.append(element(entry));
  refresh();
  connect();
})();
