/*
 * The customer page: plain browser JavaScript, no framework. It talks to the bridge's
 * /api/v1 routes (cookie session + CSRF header) and listens on the Socket.IO namespace /cliente
 * for its own balance. Every money-moving form carries an idempotency key (`clave`) that stays the
 * same while the customer retries the same operation, so a double click never moves money twice.
 */
(function () {
  'use strict';

  var TIPOS = { DEPOSITO: 'Depósito', RETIRO: 'Retiro', TRANSFERENCIA_ENVIADA: 'Transferencia enviada', TRANSFERENCIA_RECIBIDA: 'Transferencia recibida' };
  var state = { csrf: null, cedula: null, version: 0, pagina: 1, paginas: 1, socket: null, claves: {}, pendiente: null };
  var $ = function (id) { return document.getElementById(id); };

  function nuevaClave() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function aviso(texto) { $('estado').textContent = texto; }
  function error(texto) {
    var e = $('error');
    e.textContent = texto || '';
    e.hidden = !texto;
  }

  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    return fetch('/api/v1' + path, { method: method, headers: headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 204) return { ok: true, status: 204, data: {} };
        return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; }, function () { return { ok: false, status: res.status, data: {} }; });
      }, function () {
        return { ok: false, status: 0, data: { error: { code: 'NO_DISPONIBLE', message: 'No hay conexión con el banco. Revise su red e intente de nuevo.' } } };
      })
      .then(function (r) {
        if (!r.ok && r.status === 401 && state.cedula && path !== '/sesion') terminarSesion(r.data.error.message);
        return r;
      });
  }

  function mensajeDe(r) {
    return (r.data && r.data.error && r.data.error.message) || 'Ocurrió un error. Intente de nuevo.';
  }

  function mostrarSaldo(saldo, version) {
    if (version !== undefined && version < state.version) return; // stale: a newer balance is shown already
    if (version !== undefined) state.version = version;
    $('saldo').textContent = '$' + saldo;
  }

  function cargarCuenta() {
    return api('GET', '/cuenta').then(function (r) {
      if (!r.ok) return error(mensajeDe(r));
      $('saludo').textContent = 'Hola, ' + r.data.nombres + ' ' + r.data.apellidos;
      mostrarSaldo(r.data.saldo, r.data.version);
    });
  }

  function cargarMovimientos(pagina) {
    return api('GET', '/movimientos?pagina=' + pagina).then(function (r) {
      if (!r.ok) return error(mensajeDe(r));
      state.pagina = r.data.pagina;
      state.paginas = r.data.paginas;
      var tbody = $('movimientos');
      tbody.textContent = '';
      if (r.data.movimientos.length === 0) {
        var vacio = tbody.insertRow();
        var c = vacio.insertCell();
        c.colSpan = 4;
        c.textContent = 'Sin movimientos todavía.';
      }
      r.data.movimientos.forEach(function (m) {
        var row = tbody.insertRow();
        row.insertCell().textContent = m.fecha;
        row.insertCell().textContent = (TIPOS[m.tipo] || m.tipo) + (m.contraparte ? ' (' + m.contraparte + ')' : '');
        var monto = row.insertCell();
        monto.className = 'monto';
        monto.textContent = (m.tipo === 'RETIRO' || m.tipo === 'TRANSFERENCIA_ENVIADA' ? '−$' : '+$') + m.monto;
        var saldo = row.insertCell();
        saldo.className = 'monto';
        saldo.textContent = '$' + m.saldo_final;
      });
      $('pagina').textContent = 'Página ' + state.pagina + ' de ' + state.paginas;
      $('anterior').disabled = state.pagina <= 1;
      $('siguiente').disabled = state.pagina >= state.paginas;
    });
  }

  function conectarSocket() {
    if (!window.io) return;
    if (state.socket) state.socket.close();
    var s = window.io('/cliente', { withCredentials: true });
    state.socket = s;
    s.on('saldo', function (e) { mostrarSaldo(e.saldo, e.version); });
    s.on('movimiento', function () { if (state.pagina === 1) cargarMovimientos(1); });
    s.on('sesion_terminada', function (e) {
      if (e && e.renovar) return; // the server closes the socket; 'disconnect' below reconnects with the fresh cookie
      terminarSesion('Su sesión terminó. Ingrese de nuevo.');
    });
    s.on('disconnect', function (reason) { if (reason === 'io server disconnect' && state.cedula) s.connect(); });
    s.on('connect_error', function (err) {
      if (err && err.message === 'NO_AUTORIZADO') terminarSesion('Su sesión expiró por inactividad. Ingrese de nuevo.');
    });
    s.on('connect', function () {
      // Whatever moved while the socket was away: ask once (the answer is for this session's account only).
      s.emit('consultar_saldo', {}, function (r) { if (r && r.saldo) mostrarSaldo(r.saldo, r.version); });
    });
  }

  function entrar(data) {
    state.csrf = data.csrf;
    state.cedula = data.cedula;
    state.version = 0;
    $('ingreso').hidden = true;
    $('cuenta').hidden = false;
    $('salir').hidden = false;
    $('pin').value = '';
    error('');
    conectarSocket();
    return Promise.all([cargarCuenta(), cargarMovimientos(1)]).then(function () { $('principal').focus(); });
  }

  function terminarSesion(motivo) {
    state.csrf = null;
    state.cedula = null;
    if (state.socket) { state.socket.close(); state.socket = null; }
    $('cuenta').hidden = true;
    $('salir').hidden = true;
    $('ingreso').hidden = false;
    aviso('');
    error(motivo || '');
    $('cedula').focus();
  }

  function conBoton(form, trabajo) {
    var botones = form.querySelectorAll('button');
    if (form.dataset.ocupado === '1') return Promise.resolve();
    form.dataset.ocupado = '1';
    Array.prototype.forEach.call(botones, function (b) { b.disabled = true; });
    return trabajo().then(function () {
      form.dataset.ocupado = '';
      Array.prototype.forEach.call(botones, function (b) { b.disabled = false; });
    });
  }

  /** One key per operation the customer means: kept while the same values are retried, new once they change or it succeeded. */
  function claveDe(nombre, valores) {
    var k = state.claves[nombre];
    var firma = JSON.stringify(valores);
    if (!k || k.firma !== firma) { k = { clave: nuevaClave(), firma: firma }; state.claves[nombre] = k; }
    return k.clave;
  }

  function mover(nombre, ruta, cuerpo, exito) {
    cuerpo.clave = claveDe(nombre, cuerpo);
    return api('POST', ruta, cuerpo).then(function (r) {
      if (!r.ok) { aviso(''); return error(mensajeDe(r)); }
      delete state.claves[nombre];
      error('');
      mostrarSaldo(r.data.saldo, r.data.version);
      aviso(exito(r.data));
      return cargarMovimientos(1);
    });
  }

  function montoDe(input) { return input.value.trim().replace(',', '.'); }

  function enviarSimple(form, nombre, ruta, verbo) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var input = form.querySelector('input[name=monto]');
      var monto = montoDe(input);
      if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(monto) || Number(monto) <= 0) { error('Ingrese un monto positivo con hasta dos decimales, por ejemplo 25.50.'); return input.focus(); }
      conBoton(form, function () {
        return mover(nombre, ruta, { monto: monto }, function (d) { input.value = ''; return verbo + ' de $' + d.monto + ' realizado. Nuevo saldo: $' + d.saldo + '.'; });
      });
    });
  }

  function iniciar() {
    $('form-ingreso').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var cedula = $('cedula').value.trim();
      var pin = $('pin').value;
      if (!/^[0-9]{10}$/.test(cedula)) { error('La cédula debe tener 10 dígitos.'); return $('cedula').focus(); }
      if (!/^[0-9]{4,12}$/.test(pin)) { error('El PIN son de 4 a 12 dígitos.'); return $('pin').focus(); }
      conBoton($('form-ingreso'), function () {
        return api('POST', '/sesion', { cedula: cedula, pin: pin }).then(function (r) {
          if (!r.ok) { $('pin').value = ''; error(mensajeDe(r)); return $('pin').focus(); }
          return entrar(r.data);
        });
      });
    });

    $('salir').addEventListener('click', function () {
      api('DELETE', '/sesion').then(function () { terminarSesion(''); aviso('Sesión cerrada.'); });
    });

    enviarSimple($('form-deposito'), 'deposito', '/depositos', 'Depósito');
    enviarSimple($('form-retiro'), 'retiro', '/retiros', 'Retiro');

    var tf = $('form-transferencia');
    tf.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var destino = $('transferencia-destino').value.trim();
      var monto = montoDe($('transferencia-monto'));
      if (!/^[0-9]{10}$/.test(destino)) { error('La cédula de destino debe tener 10 dígitos.'); return $('transferencia-destino').focus(); }
      if (destino === state.cedula) { error('No puede transferir a su propia cuenta.'); return $('transferencia-destino').focus(); }
      if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(monto) || Number(monto) <= 0) { error('Ingrese un monto positivo con hasta dos decimales, por ejemplo 25.50.'); return $('transferencia-monto').focus(); }
      error('');
      state.pendiente = { destino: destino, monto: monto };
      $('confirmacion-texto').textContent = '¿Transferir $' + Number(monto).toFixed(2) + ' a la cuenta ' + destino + '? Esta operación no se puede deshacer.';
      $('confirmacion').hidden = false;
      $('confirmar').focus();
    });
    $('cancelar').addEventListener('click', function () {
      state.pendiente = null;
      $('confirmacion').hidden = true;
      aviso('Transferencia cancelada.');
    });
    $('confirmar').addEventListener('click', function () {
      var p = state.pendiente;
      if (!p) return;
      conBoton(tf, function () {
        return mover('transferencia', '/transferencias', { destino: p.destino, monto: p.monto }, function (d) {
          state.pendiente = null;
          $('confirmacion').hidden = true;
          $('transferencia-destino').value = '';
          $('transferencia-monto').value = '';
          return 'Transferencia de $' + d.monto + ' a ' + d.destino + ' realizada. Nuevo saldo: $' + d.saldo + '.';
        });
      });
    });

    $('anterior').addEventListener('click', function () { if (state.pagina > 1) cargarMovimientos(state.pagina - 1); });
    $('siguiente').addEventListener('click', function () { if (state.pagina < state.paginas) cargarMovimientos(state.pagina + 1); });

    // An open session (a reload): go straight to the account.
    api('GET', '/sesion').then(function (r) { if (r.ok) entrar(r.data); });
  }

  document.addEventListener('DOMContentLoaded', iniciar);
})();
