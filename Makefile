# The README's two commands: `make run` and `make test`. Each does all the set-up
# a fresh Debian machine needs: Debian packages, a virtualenv, the pip packages.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
# Debian packages the product needs at run time and in tests:
#  fonts-wqy-microhei  CJK font (Kivy's default font has no Chinese glyphs)
#  libgl1 libegl1 libgl1-mesa-dri  OpenGL through Mesa (offscreen rendering too)
#  libmtdev1           multitouch input of Kivy's touch screens
#  espeak-ng libportaudio2  speech out (voice mode, calls) and the microphone
#  sox                 audio conversion (tests synthesise speech with espeak-ng + sox)
#  chromium            headless browser tests of the window console and the dashboard
#  mosquitto openssl   the fleet's MQTT broker and its TLS certificates
#  postgresql          the centre's store at scale (tests run a throwaway cluster)
#  systemd             systemd-analyze checks the terminal's generated unit files
#  janus janus-tools   the centre's media server for multi-party sessions (tests run one);
#                      janus-pp-rec turns a session's recording into a playable file
#  cups cups-client cups-bsd printer-driver-cups-pdf  the A4 printer of 写文书 (tests print
#                      to a cups-pdf queue)
DEBS   := fonts-wqy-microhei libgl1 libegl1 libgl1-mesa-dri libmtdev1 espeak-ng libportaudio2 sox chromium \
          mosquitto openssl postgresql systemd \
          janus janus-tools cups cups-client cups-bsd printer-driver-cups-pdf

.PHONY: run test deps debs lint screenshots bench clean bundle library typecheck

run: deps library
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ] && [ -z "$$SDL_VIDEODRIVER" ]; then \
	  echo "No display found: running offscreen (SDL_VIDEODRIVER=offscreen)."; \
	  SDL_VIDEODRIVER=offscreen $(VENV)/bin/kiosk run --simulate; \
	else \
	  $(VENV)/bin/kiosk run --simulate; \
	fi

# The import contracts and the type check first: both fail in seconds, the suite takes minutes.
test: deps typecheck
	$(VENV)/bin/lint-imports
	# Three workers on two cores: most tests wait on brokers, browsers, apps and subprocesses;
	# a fourth made the suite hardly faster and timing-sensitive tests flakier.
	# Whole files go to one worker (--dist loadfile): a file's tests share fixtures; in the
	# order collected (--no-loadscope-reorder), where tests/conftest.py puts the slowest first.
	SDL_VIDEODRIVER=offscreen $(VENV)/bin/pytest -q -n 3 --dist loadfile --no-loadscope-reorder

deps: .stamp-debs $(VENV)/.installed

# The product's type hints, checked ([tool.mypy] in pyproject.toml).
typecheck: deps
	$(VENV)/bin/mypy

# The law library (docs/lookup.md): built from content/laws into the data dir
# (DATA_DIR/lookup/library.sqlite3, ~25 s); skipped when already built today from the same texts.
library: deps
	$(PY) -m kiosk.lookup.build --if-changed

debs: .stamp-debs
.stamp-debs: Makefile
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing Debian packages. Run:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
	@# Debian enables janus.service with its sample configuration (open ports, a known
	@# admin secret); the centre starts its own Janus (docs/mediation.md), so that one goes.
	@# `disable` works without a running systemd (containers, chroots); `stop` needs one.
	@if [ "$$(id -u)" = 0 ] && systemctl is-enabled janus >/dev/null 2>&1; then \
	  systemctl disable janus; \
	  if [ -d /run/systemd/system ]; then systemctl stop janus; fi; \
	fi
	@touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

SCREENS := attract home service materials card ticket done pin technician idle \
           call_consent call_wait call_active call_ended appt_menu appt_slots rate_ticket rate

# The screenshots in docs/screens (look at them after a UI change).
screenshots: deps
	for s in $(SCREENS); do $(VENV)/bin/kiosk screenshot $$s --out docs/screens/$$s.png; done
	$(VENV)/bin/kiosk screenshot home --lang en --out docs/screens/home-en.png
	$(VENV)/bin/kiosk screenshot home --elder --out docs/screens/home-elder.png
	$(VENV)/bin/kiosk screenshot home --size 1920x1080 --out docs/screens/home-1920.png
	$(VENV)/bin/kiosk screenshot home --size 1080x1920 --out docs/screens/home-portrait.png
	$(VENV)/bin/kiosk screenshot ticket --size 1080x1920 --out docs/screens/ticket-portrait.png
	$(VENV)/bin/kiosk screenshot attract --size 1920x1080 --out docs/screens/attract-1920.png
	# The centre's pages, the console, receipts and slips: the tests that drive them
	# write their pictures into docs/ only when asked to.
	KIOSK_DOC_SHOTS=1 SDL_VIDEODRIVER=offscreen $(VENV)/bin/pytest -q -n 4 --dist loadfile \
	  tests/fleet/test_dashboard.py tests/fleet/test_auth.py tests/fleet/test_figures_page.py \
	  tests/fleet/test_report.py tests/legal_aid/test_core.py tests/legal_aid/test_centre.py \
	  tests/calling tests/ratings tests/appointments tests/update/test_rollouts_page.py

# A release bundle for the terminals (docs/update.md): the app's wheel and every wheel
# it needs, built here where the index is reachable; terminals never reach an index.
# RUNTIME_DEBS are the Debian packages a terminal must have before it installs one.
RUNTIME_DEBS := fonts-wqy-microhei libgl1 libegl1 libgl1-mesa-dri libmtdev1 espeak-ng libportaudio2
bundle: deps
	$(PY) -m fleet.update.bundle build --project . --out dist $(foreach d,$(RUNTIME_DEBS),--deb $(d))

# Speed figures, each beside a baseline measured in the same run (docs/performance.md).
# Each bench at its full size, with the load average before it (a shared machine says
# so); every bench runs, and a missed goal fails the target at the end.
bench: deps
	@status=0; for b in bench/bench_*.py; do \
	  echo "== $$b · load average $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	  SDL_VIDEODRIVER=offscreen $(PY) $$b || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) .stamp-* build *.egg-info
