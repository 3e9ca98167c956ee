# Sourced by ./mvnw, ./cervella and .ci/run: sets JAVA_HOME to a JDK 25 or newer.
# Order: JAVA_HOME, then the java on the PATH, then any JDK under /usr/lib/jvm.

java_major() {
  # Prints the feature version of the java binary given, e.g. 25: from the JDK's release file when it
  # has one (no JVM start: the launcher stays fast), else by asking the JVM.
  local release
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

is_jdk25() {
  local home=$1
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  local major
  major=$(java_major "$home/bin/java")
  [ -n "$major" ] && [ "$major" -ge 25 ]
}

find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  local java_on_path
  java_on_path=$(command -v java 2>/dev/null || true)
  if [ -n "$java_on_path" ]; then
    local home
    home=$(dirname "$(dirname "$(readlink -f "$java_on_path")")")
    if is_jdk25 "$home"; then
      export JAVA_HOME=$home
      return 0
    fi
  fi
  local candidate
  for candidate in /usr/lib/jvm/*; do
    if is_jdk25 "$candidate"; then
      export JAVA_HOME=$candidate
      return 0
    fi
  done
  cat >&2 <<'MSG'
cervella: no JDK 25 found (looked at JAVA_HOME, the java on the PATH, and /usr/lib/jvm/*).
Install one, for example:
  Debian/Ubuntu with the Adoptium repository:  apt-get install temurin-25-jdk
  or download any OpenJDK 25 build and point JAVA_HOME at it.
MSG
  return 1
}
