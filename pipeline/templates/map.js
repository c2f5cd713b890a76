/* Draws the districts of one map page: one shape per district, a state table indexed by
   date, popups with the evidence, a date slider when the page holds several dates.
   Every text from the articles or the gazetteer enters the page through textContent or
   setAttribute, never through innerHTML. The data's layout: render.py, _payload. */
function n2mDraw(map, D) {
  "use strict";
  var S = D.strings;
  var SVGNS = "http://www.w3.org/2000/svg";
  var PERIOD = 10; // stripe period in pixels
  var INK = "#1a1a1a"; // hatches and textures
  var current = D.frames[0].slice();
  var frame = 0;
  var layers = [];
  var defs = null;

  // --- small helpers -----------------------------------------------------------------
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return key in values ? String(values[key]) : m;
    });
  }
  var DAY0 = D.day0.split("-").map(function (x) { return parseInt(x, 10); });
  function isoOf(days) {
    // whole days after the page's first date, in UTC so that no time zone shifts them
    var t = new Date(Date.UTC(DAY0[0], DAY0[1] - 1, DAY0[2]) + days * 86400000);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate());
  }
  function formatDate(iso, short) {
    var parts = iso.split("-");
    var day = parseInt(parts[2], 10);
    var month = (short ? S.months_short : S.months)[parseInt(parts[1], 10) - 1];
    return (day === 1 ? S.first_day : String(day)) + " " + month + " " + parts[0];
  }
  function node(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }
  function ring(flat) {
    // rings come as integer steps of 1e-5 degree: lon, lat, then differences
    var out = [], x = 0, y = 0;
    for (var k = 0; k < flat.length; k += 2) {
      x += flat[k];
      y += flat[k + 1];
      out.push([y / 1e5, x / 1e5]);
    }
    return out;
  }
  function latlngs(shape) {
    return shape.map(function (polygon) { return polygon.map(ring); });
  }
  function sideLabel(i) { return D.sides[i][1]; }
  function sharesOf(st) {
    // [[side, percent], ...], the holder first
    if (st.length === 4) return [[st[3], 100]];
    var out = [];
    for (var k = 3; k < st.length; k += 2) out.push([st[k], st[k + 1]]);
    return out;
  }
  function sideColor(i) { return D.sides[i][2]; }
  function sideTexture(i) { return D.sides[i][3]; }
  function districtName(i) { return D.districts[i][1]; }

  // --- states ----------------------------------------------------------------------
  function goTo(k) {
    current = D.frames[0].slice();
    for (var j = 1; j <= k; j++) {
      var delta = D.frames[j];
      for (var t = 0; t < delta.length; t += 2) {
        var i = delta[t] < 0 ? -1 - delta[t] : delta[t];
        current[i] = delta[t + 1];
      }
    }
    frame = k;
  }
  function changedAt(k) {
    // the districts whose state changed on frame k, in the gazetteer's order
    var out = [];
    if (k === 0) return out;
    var delta = D.frames[k];
    for (var t = 0; t < delta.length; t += 2) if (delta[t] >= 0) out.push(delta[t]);
    return out.sort(function (a, b) { return a - b; });
  }
  function summary(st) {
    var shares = sharesOf(st);
    var words = [];
    if (shares.length === 1) {
      words.push(sideLabel(shares[0][0]));
    } else {
      shares.forEach(function (s) {
        words.push(fill(S.shares, { side: sideLabel(s[0]), share: s[1] }));
      });
    }
    var text = words.join(", ");
    var flags = [];
    if (st[1] & 1) flags.push(S.contested);
    if (st[1] & 2) flags.push(S.besieged);
    return flags.length ? text + " (" + flags.join(", ") + ")" : text;
  }
  function changesText(k) {
    // the changed districts grouped by their new state, as render.py's _changes_text does
    if (k === 0 && D.base === 1) return S.baseline_changes;
    var changed = changedAt(k);
    if (!changed.length) return S.no_change;
    var states = [], names = Object.create(null); // no inherited keys: a label may be anything
    changed.forEach(function (i) {
      var state = summary(D.states[current[i]]);
      if (!(state in names)) { states.push(state); names[state] = []; }
      names[state].push(districtName(i));
    });
    return fill(S.changes, { list: states.map(function (state) {
      return fill(S.state_districts, { state: state, districts: names[state].join(", ") });
    }).join(" ; ") });
  }

  // --- fills: a colour, or an SVG pattern for shares and fighting --------------------
  function pattern(st) {
    var shares = sharesOf(st);
    var hatched = (st[1] & 1) === 1;
    var id = "n2m-p" + shares.map(function (s) { return "-" + s[0] + "x" + s[1]; }).join("") +
      (hatched ? "-h" : "");
    var wide = shares.length === 1;
    if (!document.getElementById(id)) {
      var p = document.createElementNS(SVGNS, "pattern");
      p.setAttribute("id", id);
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", PERIOD);
      p.setAttribute("height", PERIOD);
      p.setAttribute("patternTransform", "rotate(45)");
      var x = 0;
      shares.forEach(function (s, n) {
        var width = n === shares.length - 1 ? PERIOD - x : PERIOD * s[1] / 100;
        var r = document.createElementNS(SVGNS, "rect");
        r.setAttribute("x", x.toFixed(2));
        r.setAttribute("width", Math.max(width, 0).toFixed(2));
        r.setAttribute("height", PERIOD);
        r.setAttribute("fill", sideColor(s[0]));
        p.appendChild(r);
        texture(p, sideTexture(s[0]), x, width, wide);
        x += width;
      });
      if (hatched) {
        var line = document.createElementNS(SVGNS, "rect");
        line.setAttribute("y", PERIOD / 2 - 1);
        line.setAttribute("width", PERIOD);
        line.setAttribute("height", 2);
        line.setAttribute("fill", INK);
        p.appendChild(line);
      }
      defs.appendChild(p);
    }
    return "url(#" + id + ")";
  }
  function texture(p, kind, x, width, wide) {
    // a side's own marks, for readers who print in black and white: two per period, on a
    // diagonal when they fill the whole period, else down the middle of the side's stripe
    if (!kind || width < 2) return;
    var spots = wide ? [[x + width / 4, PERIOD / 4], [x + 3 * width / 4, 3 * PERIOD / 4]]
      : [[x + width / 2, PERIOD / 4], [x + width / 2, 3 * PERIOD / 4]];
    spots.forEach(function (spot) {
      var c = document.createElementNS(SVGNS, "circle");
      c.setAttribute("cx", spot[0].toFixed(2));
      c.setAttribute("cy", spot[1].toFixed(2));
      if (kind === "rings") {
        c.setAttribute("r", "2.1");
        c.setAttribute("fill", "none");
        c.setAttribute("stroke", INK);
        c.setAttribute("stroke-width", "0.9");
      } else {
        c.setAttribute("r", "1.3");
        c.setAttribute("fill", INK);
      }
      p.appendChild(c);
    });
  }
  function styleFor(i) {
    var st = D.states[current[i]];
    var shares = sharesOf(st);
    var whole = shares.length === 1 && !(st[1] & 1);
    var plain = whole && !sideTexture(shares[0][0]);
    var besieged = (st[1] & 2) === 2;
    var approximate = D.districts[i][4] === 1;
    return {
      fillColor: plain ? sideColor(shares[0][0]) : pattern(st),
      fillOpacity: whole ? D.opacity[0] : D.opacity[1],
      color: besieged ? "#000000" : "#ffffff",
      weight: besieged ? 4 : 1.2,
      opacity: 1,
      dashArray: besieged || !approximate ? null : "4 3"
    };
  }

  // --- popups ----------------------------------------------------------------------
  function safeUrl(url) { return /^https?:\/\//i.test(url) ? url : ""; }
  function evidenceItem(e) {
    var li = node("li");
    if (e[0] < 0) {
      li.appendChild(node("span", { "class": "n2m-base" }, [
        fill(S.baseline_evidence, { date: formatDate(isoOf(e[1]), false) })]));
      return li;
    }
    var article = D.articles[e[0]];
    var label = article[1] >= 0 ? D.sources[article[1]] + (article[0] ? " — " + article[0] : "")
      : article[0];
    li.appendChild(node("q", {}, [D.quotes[e[2]]]));
    var cite = [" — " + label + ", " + formatDate(isoOf(e[1]), true)];
    if (e[3] === 1) cite.push(" (" + S.correction + ")");
    var c = node("cite", {}, cite);
    var url = article[2] >= 0 ? safeUrl(D.origins[article[2]] + article[3]) : "";
    if (url) {
      c.appendChild(document.createTextNode(" "));
      c.appendChild(node("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [S.read]));
    }
    li.appendChild(c);
    return li;
  }
  function popupFor(i) {
    var d = D.districts[i];
    var st = D.states[current[i]];
    var box = node("div", { "class": "n2m-pop" });
    box.appendChild(node("h2", {}, [d[1]]));
    var names = node("p", { "class": "n2m-names" });
    if (d[2] && d[2] !== d[1]) names.appendChild(node("span", { lang: "en" }, [d[2]]));
    if (d[3]) {
      if (names.childNodes.length) names.appendChild(document.createTextNode(" · "));
      names.appendChild(node("span", { lang: "ar", dir: "rtl" }, [d[3]]));
    }
    if (names.childNodes.length) box.appendChild(names);
    box.appendChild(node("p", { "class": "n2m-state" }, [summary(st)]));
    box.appendChild(node("p", { "class": "n2m-since" }, [fill(S.since, { date: formatDate(isoOf(st[0]), false) })]));
    if (st[2].length) {
      box.appendChild(node("h3", {}, [S.evidence]));
      box.appendChild(node("ul", { "class": "n2m-ev" }, st[2].map(function (k) {
        return evidenceItem(D.evidence[k]);
      })));
    }
    if (d[4] === 1) box.appendChild(node("p", { "class": "n2m-approx" }, [S.approximate]));
    return box;
  }

  // --- the page around the map: date line, changes, slider ---------------------------
  function describe(k) {
    var dateLine = document.getElementById("n2m-date");
    if (dateLine) dateLine.textContent = fill(S.on_date, { date: formatDate(isoOf(D.dates[k]), false) });
    // a page of one date keeps the line render.py wrote
    var line = document.getElementById("n2m-changes");
    if (line && D.dates.length > 1) line.textContent = changesText(k);
  }
  function show(k) {
    goTo(k);
    layers.forEach(function (layer, i) {
      layer.setStyle(styleFor(i));
      // a thick siege outline goes on top, so that no neighbour's border covers it
      if (D.states[current[i]][1] & 2) layer.bringToFront();
      var el = layer.getElement();
      if (el) {
        el.setAttribute("aria-label", fill(S.district_state, {
          district: districtName(i), state: summary(D.states[current[i]]) }));
      }
      if (layer.isPopupOpen()) layer.getPopup().update();
    });
    describe(k);
  }

  // --- build -----------------------------------------------------------------------
  function popupOptions() {
    // a popup fits below the zoom buttons and the legend, even on a phone
    var size = map.getSize();
    return {
      maxWidth: Math.min(320, size.x - 50),
      maxHeight: Math.max(140, Math.min(320, size.y - 130)),
      autoPanPaddingTopLeft: [10, 84],
      autoPanPaddingBottomRight: [10, 24]
    };
  }
  var group = L.featureGroup();
  D.shapes.forEach(function (shape, i) {
    var layer = L.polygon(latlngs(shape), {
      fillColor: "#999999", fillOpacity: 0.5, color: "#ffffff", weight: 1.2
    });
    layer.bindPopup(function () { return popupFor(i); }, popupOptions());
    layers.push(layer);
    group.addLayer(layer);
  });
  group.addTo(map);
  layers.forEach(function (layer, i) {
    var el = layer.getElement();
    if (!el) return;
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("data-district", D.districts[i][0]);
    L.DomEvent.on(el, "keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") {
        L.DomEvent.preventDefault(ev);
        layer.openPopup();
      }
    });
  });
  if (layers.length) {
    var svg = layers[0].getElement().ownerSVGElement;
    defs = document.createElementNS(SVGNS, "defs");
    svg.insertBefore(defs, svg.firstChild);
  }
  map.fitBounds(D.bounds, { padding: [4, 4], animate: false });
  // on a phone the attribution keeps to the tile credit, so that it leaves room for the scale
  if (map.getSize().x < 480 && map.attributionControl) map.attributionControl.setPrefix(false);

  // the legend moves into the map as a control; it starts folded on a phone
  var legend = document.getElementById("n2m-legend");
  if (legend) {
    var Legend = L.Control.extend({
      onAdd: function () {
        L.DomEvent.disableClickPropagation(legend);
        L.DomEvent.disableScrollPropagation(legend);
        return legend;
      }
    });
    new Legend({ position: "topright" }).addTo(map);
    legend.open = map.getSize().x >= 560;
  }
  // the zoom buttons and the legend come before the districts when tabbing through the page
  // (they float above the map wherever they stand in the document)
  var controls = map.getContainer().querySelector(".leaflet-control-container");
  if (controls) map.getContainer().insertBefore(controls, map.getContainer().firstChild);

  // the scroll wheel zooms only after the reader clicks the map, and stops when they leave
  map.on("click", function () {
    map.scrollWheelZoom.enable();
    map.dragging.enable();
  });
  map.on("mouseout", function () { map.scrollWheelZoom.disable(); });
  map.on("resize", function () {
    var options = popupOptions();
    layers.forEach(function (layer) { L.setOptions(layer.getPopup(), options); });
  });

  var slider = document.getElementById("n2m-slider");
  if (slider && D.dates.length > 1) {
    slider.max = String(D.dates.length - 1);
    slider.value = String(D.start);
    var step = function (by) {
      var k = Math.min(Math.max(frame + by, 0), D.dates.length - 1);
      slider.value = String(k);
      slider.setAttribute("aria-valuetext", formatDate(isoOf(D.dates[k]), false));
      show(k);
    };
    slider.addEventListener("input", function () { step(parseInt(slider.value, 10) - frame); });
    var prev = document.getElementById("n2m-prev");
    var next = document.getElementById("n2m-next");
    if (prev) prev.addEventListener("click", function () { step(-1); });
    if (next) next.addEventListener("click", function () { step(1); });
    slider.setAttribute("aria-valuetext", formatDate(isoOf(D.dates[D.start]), false));
  }
  show(D.start);
  return { map: map, layers: layers, show: show };
}
