/* The compare page's tools: live weight sensitivity (each chart's PNG button is charts.js's).
 *
 * The ranking follows compare/ranking.py step by step (same sums in the same order, Python's
 * rounding), so the table the server renders for `w=` and the one drawn here always agree;
 * change both together. */
(function () {
  "use strict";

  // Python's round(x, 1). toFixed rounds to the nearest tenth exactly; the two differ only on
  // exact ties (x * 4 odd, i.e. x ends in .25 or .75), which Python sends to the even tenth.
  function round1(x) {
    const quarters = x * 4;
    if (Number.isInteger(quarters) && quarters % 2 !== 0) {
      const low = Math.floor(x * 10);
      return (low % 2 === 0 ? low : low + 1) / 10;
    }
    return Number(x.toFixed(1));
  }

  function weightedOverall(scores, weights) {
    let total = 0;
    let weighted = 0;
    scores.forEach(function (score, i) {
      if (score !== null) {
        total += weights[i];
        weighted += weights[i] * score;
      }
    });
    return total ? round1(weighted / total) : null;
  }

  function ranks(overalls) {
    return overalls.map(function (mine) {
      if (mine === null) return null;
      return 1 + overalls.filter(function (o) { return o !== null && o > mine; }).length;
    });
  }

  function change(rank, equalRank) {
    if (rank === null || equalRank === null) return "—";
    const moved = equalRank - rank;
    if (moved === 0) return "same";
    return (moved > 0 ? "▲ " : "▼ ") + Math.abs(moved) + " (was " + equalRank + ")";
  }

  // The rule, for the browser test that checks it against compare/ranking.py.
  window.clusterdxRanking = { weightedOverall: weightedOverall, ranks: ranks };

  function setUpSensitivity() {
    const source = document.getElementById("sensitivity-data");
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const sliders = Array.from(document.querySelectorAll("#weights input[type=range]"));
    const body = document.querySelector("#ranking tbody");
    const equalRanks = ranks(data.subjects.map(function (s) {
      return weightedOverall(s.scores, data.equal);
    }));
    // With JavaScript the form carries one canonical `w` (none for equal weights) instead of
    // the eight slider values it submits without.
    const carried = document.createElement("input");
    carried.type = "hidden";
    carried.name = "w";
    carried.setAttribute("form", "compare-form");
    sliders[0].closest("fieldset").appendChild(carried);
    sliders.forEach(function (slider) { slider.removeAttribute("name"); });
    document.getElementById("weights-apply").hidden = true;

    function update() {
      const weights = sliders.map(function (s) { return Number(s.value); });
      sliders.forEach(function (s) { s.nextElementSibling.textContent = String(Number(s.value)); });
      const overalls = data.subjects.map(function (s) { return weightedOverall(s.scores, weights); });
      const current = ranks(overalls);
      const rows = data.subjects.map(function (s, i) {
        return { subject: s, overall: overalls[i], rank: current[i], equalRank: equalRanks[i] };
      });
      rows.sort(function (a, b) {  // stable: ties keep the order chosen; unranked last
        if (a.rank === null || b.rank === null) return (a.rank === null) - (b.rank === null);
        return a.rank - b.rank;
      });
      body.replaceChildren.apply(body, rows.map(function (row) {
        const tr = document.createElement("tr");
        const rated = row.subject.scores.filter(function (v) { return v !== null; }).length;
        const cells = [
          row.rank === null ? "—" : String(row.rank),
          null,
          row.overall === null ? "—" : row.overall.toFixed(1),
          change(row.rank, row.equalRank),
        ];
        cells.forEach(function (text) {
          const td = document.createElement("td");
          if (text === null) {
            const note = document.createElement("span");
            note.className = "note";
            note.textContent = rated + " of 8 points rated";
            td.append(row.subject.name + " ", note);
          } else {
            td.textContent = text;
          }
          tr.appendChild(td);
        });
        return tr;
      }));
      const equal = weights.every(function (w, i) { return w === data.equal[i]; });
      const param = weights.map(String).join(",");
      carried.value = param;
      carried.disabled = equal;
      const query = new URLSearchParams(window.location.search);
      query.delete("w");
      let search = query.toString();
      if (!equal) search += (search ? "&" : "") + "w=" + param;
      history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
    }

    const error = document.getElementById("weights-error");  // about the address's weights
    sliders.forEach(function (s) {
      s.addEventListener("input", function () {
        if (error) error.hidden = true;
        update();
      });
    });
    document.getElementById("weights-reset").addEventListener("click", function (event) {
      event.preventDefault();
      sliders.forEach(function (s, i) { s.value = data.equal[i]; });
      update();
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpSensitivity();
  });
})();
