# mk/browser.mk — the headless browser the console's test drives (issue 16).
# Included by the root Makefile.
#
#   make browser-install   Debian's chromium and chromium-driver, pinned
#
# Pinned to the version of Debian 12's main archive (bookworm; the
# security archive's version moves with every Chromium release and the
# older one leaves it). A machine that already has exactly that version
# installs nothing; an archive that no longer has it is an error naming the
# versions it has (`apt-cache madison chromium`), to update the pin with. CI on this
# machine kind runs as root, as for LocalStack's JDK (mk/localstack.mk).
# The console's test (crates/console/tests/browser) starts chromedriver and
# Chromium itself, on 127.0.0.1, and stops them by PID.

_BROWSER_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

CHROMIUM_VERSION ?= 150.0.7871.100-1~deb12u1
CHROMIUM_PACKAGES := chromium chromium-common chromium-driver

.PHONY: browser-install

browser-install: ## Debian's chromium and chromium-driver at CHROMIUM_VERSION, for the console's browser test (once; nothing when installed)
	@installed=$$(dpkg-query -W -f='$${Version}\n' $(CHROMIUM_PACKAGES) 2>/dev/null | sort -u); \
	if [ "$$installed" = "$(CHROMIUM_VERSION)" ] && command -v chromedriver >/dev/null; then \
	  echo "chromium $(CHROMIUM_VERSION) already installed"; \
	else \
	  echo "installing chromium $(CHROMIUM_VERSION) (apt)"; \
	  apt-get update -qq || exit 1; \
	  apt-cache madison chromium | grep -qF '| $(CHROMIUM_VERSION) |' || { \
	    echo "chromium $(CHROMIUM_VERSION) is not in the apt archive; it has:" >&2; \
	    apt-cache madison chromium >&2; echo "update CHROMIUM_VERSION in mk/browser.mk" >&2; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --allow-downgrades \
	    $(foreach p,$(CHROMIUM_PACKAGES),$(p)=$(CHROMIUM_VERSION)) fonts-dejavu-core; \
	fi

.DEFAULT_GOAL := $(_BROWSER_MK_DEFAULT_GOAL)
