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

"""Carry Swift's system metadata across the hop to a landlord.

A landlord's gatekeeper strips ``X-<Type>-Sysmeta-*`` (and transient
object sysmeta) from requests and responses of outsiders, and its own
``slo``, ``dlo`` and ``symlink`` middlewares would act on the headers that
mark large objects. The middlewares left of ``ocx`` (SLO, DLO, symlinks,
versioning, s3api, tempauth's account ACLs) keep their state there, so
``ocx`` stores it on the landlord as reserved user metadata and restores
it on the way back:

================================  ========================================
exchange header                   stored on the landlord as
================================  ========================================
``X-<Type>-Sysmeta-<Name>``       ``X-<Type>-Meta-Ocx-Sys-<Name>``
``X-Object-Transient-Sysmeta-*``  ``X-Object-Meta-Ocx-Tsys-*``
``X-Static-Large-Object``         ``X-Object-Meta-Ocx-Slo``
``X-Object-Manifest``             ``X-Object-Meta-Ocx-Dlo``
================================  ========================================

A value longer than Swift's 256-byte limit continues in keys suffixed
``--2``, ``--3``, ...; a value is read up to the first missing suffix.
Container and account POSTs merge metadata, so a shorter value written
over a longer one also clears the suffix after its last piece. Clients
can neither set nor read the reserved ``Ocx-`` keys: they are dropped
from client requests and turned back into sysmeta (which the exchange's
own gatekeeper hides) in responses.

Budget: the landlord's metadata limits (90 keys, 4096 bytes of names and
values by default) cover user metadata and these keys together. An SLO
manifest uses about 4 keys and 150 bytes; a symlink 2-3 keys and its
target's length; s3api ACLs up to a few hundred bytes. A landlord that
joins an exchange serving s3api ACLs should raise ``max_meta_count`` and
``max_meta_overall_size`` in its ``[swift-constraints]``.

Container listings of landlords know nothing of the exchange's listing
overrides (an SLO's total size in ``swift_bytes``, the ``hash`` that SLO,
symlinks and s3api multipart set through
``X-Object-Sysmeta-Container-Update-Override-Etag``). The object's
Content-Type carries them to the landlord as ``ocx_bytes`` and
``ocx_etag`` parameters, which the landlord's listing returns untouched;
the exchange turns them back into ``bytes``, ``hash`` and a clean
``content_type`` in listings, and drops them from GET and HEAD answers.
Landlords refuse other ``swift_*`` parameters from outsiders too (legacy
versioning marks a delete marker ``swift_versions_deleted=1``): they are
stored as ``ocx_*`` and shown as written (a client's own ``ocx_*``
parameter is stored as ``ocx_ocx_*``).

Names here are header names as swob gives them (title case).
"""

import re
from urllib.parse import quote, unquote

MAX_VALUE = 256
#: landlords refuse ``swift_*`` content-type parameters from outsiders;
#: the exchange stores them as ``ocx_*``
SWIFT_PARAM = 'swift_'
PARAM = 'ocx_'
#: content-type parameters carrying what Swift's container-update
#: overrides would put in a landlord's listing (``swift_bytes`` and the
#: override sysmeta, which landlords strip)
BYTES_PARAM = 'ocx_bytes'
ETAG_PARAM = 'ocx_etag'
#: content-type parameter carrying a hidden-name object's sealed name
NAME_PARAM = 'ocx_name'
LISTING_PARAMS = (BYTES_PARAM, ETAG_PARAM, NAME_PARAM)
OVERRIDE_ETAG = "x-object-sysmeta-container-update-override-etag"
CONTINUATION = '--'
#: the container sysmeta key (as in ``info['sysmeta']``) naming the
#: container's exchange policy
POLICY_SYSMETA = 'ocx-policy'
POLICY_HEADER = 'X-Container-Sysmeta-Ocx-Policy'

#: exchange-side special headers stored under a reserved name
SPECIAL = {
    'object': {'X-Static-Large-Object': 'Slo', 'X-Object-Manifest': 'Dlo'},
    'container': {},
    'account': {},
}

_SYSMETA_RE = re.compile(
    r'^x-(account|container|object)-(transient-)?sysmeta-(.+)$', re.I)


def reserved_prefix(server_type):
    """``X-<Type>-Meta-Ocx-``: the landlord-side reserved namespace."""
    return 'X-%s-Meta-Ocx-' % server_type.title()


def is_reserved(name, server_type):
    return name.lower().startswith(reserved_prefix(server_type).lower())


def _chunks(value):
    if len(value) <= MAX_VALUE:
        return [value]
    return [value[i:i + MAX_VALUE] for i in range(0, len(value), MAX_VALUE)]


def _rename_param(part, encode):
    """One ``;``-separated content-type parameter, renamed for the
    landlord (``encode``) or back; its spacing is kept."""
    key = part.lstrip()
    indent = part[:len(part) - len(key)]
    if encode:
        if key.startswith(SWIFT_PARAM):
            key = PARAM + key[len(SWIFT_PARAM):]
        elif key.startswith(PARAM):
            key = PARAM + key  # a client's own ocx_ parameter
    elif key.startswith(PARAM + PARAM):
        key = key[len(PARAM):]
    elif key.startswith(PARAM):
        key = SWIFT_PARAM + key[len(PARAM):]
    return indent + key


def encode_content_type(content_type, override_etag=None):
    """The Content-Type to store on a landlord: ``swift_*`` parameters
    (``swift_bytes`` of an SLO, ``swift_versions_deleted`` of a delete
    marker) as ``ocx_*``, a client's own ``ocx_*`` as ``ocx_ocx_*``, the
    listing etag override appended; else as the client wrote it."""
    parts = content_type.split(';')
    parts[1:] = [_rename_param(p, True) for p in parts[1:]]
    if override_etag:
        parts.append('%s=%s' % (ETAG_PARAM, quote(override_etag, safe='')))
    return ';'.join(parts)


def _split_params(content_type):
    """``(content type as the client wrote it, {listing param: value})``
    of a landlord's stored Content-Type."""
    parts = content_type.split(';')
    kept, params = [parts[0]], {}
    for part in parts[1:]:
        key, sep, value = part.strip().partition('=')
        if sep and key in LISTING_PARAMS:
            params[key] = value
        else:
            kept.append(_rename_param(part, False))
    return ';'.join(kept), params


def decode_content_type(content_type):
    """A landlord's stored Content-Type as the exchange shows it: without
    the listing parameters (Swift's proxy likewise strips ``swift_bytes``
    from object responses), other parameters as written."""
    return _split_params(content_type)[0]


def exchange_content_type(content_type):
    """A landlord's stored Content-Type as the exchange's object index
    records it: ``swift_*`` parameters (``swift_bytes`` of an SLO) back
    under their names, the split listing parameters dropped."""
    if content_type is None:
        return None
    parts = content_type.split(';')
    kept = [parts[0]]
    for part in parts[1:]:
        key = part.strip().partition('=')[0]
        if key in (ETAG_PARAM, NAME_PARAM):
            continue
        kept.append(_rename_param(part, False))
    return ';'.join(kept)


def stored_swift_bytes(content_type):
    """The ``swift_bytes`` a landlord's stored Content-Type carries, or
    None."""
    return _split_params(content_type)[1].get(BYTES_PARAM)


def name_token(content_type):
    """The sealed object name a stored Content-Type carries, or None."""
    return _split_params(content_type)[1].get(NAME_PARAM)


def listing_content_type(base, size, etag, token=None):
    """The Content-Type stored with each share of a split object: the
    client's, plus its logical size and etag (and sealed name) for the
    landlord's listing to carry back.

    :param base: the client's Content-Type (``swift_bytes`` of an SLO
                 manifest overrides ``size``)
    :param etag: the etag listings show (an override etag, or the MD5 of
                 the client's bytes)
    """
    if 'swift_bytes=' not in base:
        base = '%s;swift_bytes=%s' % (base, size)
    value = encode_content_type(base, override_etag=etag)
    if token:
        value += ';%s=%s' % (NAME_PARAM, token)
    return value


def decode_listing_entry(entry):
    """Restore an object listing entry's size, hash and content type.

    :param entry: a dict of a landlord's JSON listing (changed in place)
    """
    if 'content_type' not in entry:
        return entry
    base, params = _split_params(entry['content_type'])
    entry['content_type'] = base
    if BYTES_PARAM in params:
        try:
            entry['bytes'] = int(params[BYTES_PARAM])
        except ValueError:
            pass
    if ETAG_PARAM in params:
        entry['hash'] = unquote(params[ETAG_PARAM])
    return entry


def encode_headers(headers, server_type):
    """Turn exchange-side request headers into what a landlord stores.

    :param headers: dict of request headers
    :param server_type: ``'account'``, ``'container'`` or ``'object'``
    :returns: a new dict; client-sent reserved keys are dropped
    """
    prefix = reserved_prefix(server_type)
    special = {k.lower(): v for k, v in SPECIAL[server_type].items()}
    out = {}
    override_etag = None
    if server_type == 'object':
        override_etag = next((v for k, v in headers.items()
                              if k.lower() == OVERRIDE_ETAG), None)
    remove_prefix = 'x-remove-' + prefix.lower()[2:]
    for name, value in headers.items():
        lower = name.lower()
        if lower.startswith(prefix.lower()) or \
                lower.startswith(remove_prefix):
            continue  # nobody but ocx writes the reserved namespace
        if lower == 'content-type' and server_type == 'object':
            out[name] = encode_content_type(value, override_etag)
            continue
        match = _SYSMETA_RE.match(name)
        if match and match.group(1).lower() == server_type:
            kind = 'Tsys-' if match.group(2) else 'Sys-'
            key = prefix + kind + match.group(3).title()
        elif lower in special:
            key = prefix + special[lower]
        else:
            out[name] = value
            continue
        parts = _chunks(value)
        for i, part in enumerate(parts):
            out[key if i == 0 else '%s%s%d' % (key, CONTINUATION, i + 1)] \
                = part
        if server_type != 'object':
            # metadata merges on POST: cut off any longer value's rest
            out['%s%s%d' % (key, CONTINUATION, len(parts) + 1)] = ''
    return out


def decode_headers(items, server_type):
    """Turn a landlord's response headers back into exchange headers.

    :param items: list of ``(name, value)``
    :returns: a new list of ``(name, value)``
    """
    prefix = reserved_prefix(server_type)
    plen = len(prefix)
    reverse_special = {v.lower(): k for k, v in SPECIAL[server_type].items()}
    out, pieces = [], {}
    for name, value in items:
        if not name.lower().startswith(prefix.lower()):
            if server_type == 'object' and name.lower() == 'content-type':
                value = decode_content_type(value)
            out.append((name, value))
            continue
        rest = name[plen:]
        base, sep, index = rest.rpartition(CONTINUATION)
        if sep and index.isdigit():
            pieces.setdefault(base.lower(), {})[int(index)] = value
        else:
            pieces.setdefault(rest.lower(), {})[1] = value
    for key, parts in pieces.items():
        if 1 not in parts:
            continue
        value, index = '', 1
        while parts.get(index):
            value += parts[index]
            index += 1
        if key.startswith('sys-'):
            name = 'X-%s-Sysmeta-%s' % (server_type.title(), key[4:])
        elif key.startswith('tsys-'):
            name = 'X-Object-Transient-Sysmeta-%s' % key[5:]
        elif key in reverse_special:
            name = reverse_special[key]
        else:
            continue  # unknown reserved key: never shown
        out.append((name.title(), value))
    return out


def reserved_items(items, server_type):
    """Only the reserved landlord-side keys of ``items``."""
    return {k: v for k, v in items if is_reserved(k, server_type)}
