# Copyright (c) 2026 ocx_swift developers
#
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Command-line tools of ocx_swift, and what they share."""

import argparse

#: the exit code of a usage or config error
EXIT_USAGE = 2


class UsageParser(argparse.ArgumentParser):
    """Reports a usage error in one line naming ``--help``, exit code 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, '%s: error: %s (see %s --help)\n'
                  % (self.prog, message, self.prog))
