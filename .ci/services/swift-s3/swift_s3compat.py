# Compatibility shim for Swift 2.30 s3api (Debian 12) vs. current AWS SDKs.
# Loaded as a no-op paste filter ("s3compat") in the proxy pipeline, which
# patches swift.common.middleware.s3api.s3request.S3Request so that:
#  1. aws-chunked uploads (SDK v3 >= 3.729 default for stream bodies:
#     STREAMING-UNSIGNED-PAYLOAD-TRAILER + x-amz-checksum-* trailer) are decoded;
#     the trailing crc32/sha1/sha256 checksum is verified (crc32c/crc64nvme not).
#     Chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD are not verified.
#  2. Multi-object delete accepts x-amz-checksum-crc32/sha1/sha256 (or any
#     x-amz-checksum-*) instead of the formerly mandatory Content-MD5.
#  3. PUT with "If-None-Match: *" is passed to Swift (native create-only PUT)
#     instead of being rejected with 501.
# It also provides "localcache_filter_factory": an in-process stand-in for the
# memcache middleware (tempauth insists on a cache; without a memcached server
# swift is ~3x slower). Only coherent with a single proxy process (workers=0).
import base64
import hashlib
import json
import threading
import time as _time
import zlib

from swift.common import swob
from swift.common.middleware.s3api import s3request as _s3r
from swift.common.middleware.s3api.s3response import BadDigest, InvalidRequest

_S3Request = _s3r.S3Request


def _has_aws_chunked(env):
    return ('aws-chunked' in env.get('HTTP_CONTENT_ENCODING', '').lower() or
            env.get('HTTP_X_AMZ_CONTENT_SHA256', '').startswith('STREAMING-')
            or 'HTTP_X_AMZ_DECODED_CONTENT_LENGTH' in env)


class _Crc32(object):
    def __init__(self):
        self.v = 0

    def update(self, b):
        self.v = zlib.crc32(b, self.v)

    def digest(self):
        return self.v.to_bytes(4, 'big')


_ALGOS = {'x-amz-checksum-crc32': _Crc32,
          'x-amz-checksum-sha1': hashlib.sha1,
          'x-amz-checksum-sha256': hashlib.sha256}


class AwsChunkedReader(object):
    """Decodes an aws-chunked body: '<hex>[;chunk-signature=..]\\r\\n<data>\\r\\n'
    ... '0\\r\\n[trailer: value\\r\\n]*\\r\\n'."""

    def __init__(self, inp, decoded_length, trailer_name):
        self.inp = inp
        self.remaining = decoded_length
        self.left = 0
        self.done = False
        self.trailer_name = (trailer_name or '').strip().lower()
        self.hasher = _ALGOS.get(self.trailer_name, lambda: None)()

    def _line(self):
        line = self.inp.readline(65536)
        if not line.endswith(b'\n'):
            raise swob.HTTPBadRequest(body=b'truncated aws-chunked body')
        return line.rstrip(b'\r\n')

    def _finish(self):
        if self.left == 0 and self.remaining == 0 and not self.done:
            size = self._line()
            if int(size.split(b';')[0], 16) != 0:
                raise swob.HTTPBadRequest(body=b'aws-chunked body too long')
            trailers = {}
            while True:
                t = self._line()
                if not t:
                    break
                k, _, v = t.decode('latin1').partition(':')
                trailers[k.strip().lower()] = v.strip()
            self.done = True
            want = trailers.get(self.trailer_name)
            if self.hasher is not None and want is not None:
                got = base64.b64encode(self.hasher.digest()).decode('ascii')
                if got != want:
                    raise swob.HTTPUnprocessableEntity(
                        body=b'checksum trailer mismatch')

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.remaining
        out = []
        while size > 0 and self.remaining > 0:
            if self.left == 0:
                n = int(self._line().split(b';')[0], 16)
                if n == 0 or n > self.remaining:
                    raise swob.HTTPBadRequest(body=b'bad aws-chunked framing')
                self.left = n
            data = self.inp.read(min(self.left, size))
            if not data:
                raise swob.HTTPBadRequest(body=b'truncated aws-chunked body')
            if self.hasher is not None:
                self.hasher.update(data)
            self.left -= len(data)
            self.remaining -= len(data)
            size -= len(data)
            out.append(data)
            if self.left == 0:
                if self.inp.read(2) != b'\r\n':
                    raise swob.HTTPBadRequest(body=b'bad aws-chunked framing')
        self._finish()
        return b''.join(out)

    def readline(self, size=-1):
        return self.read(size if size and size > 0 else 65536)

    def close(self):
        close = getattr(self.inp, 'close', None)
        if close:
            close()


_orig_validate = _S3Request._validate_headers
_orig_init = _S3Request.__init__
_orig_check_md5 = _S3Request.check_md5


def _validate_headers(self):
    env = self.environ
    stash = {}
    if _has_aws_chunked(env):
        for k in ('HTTP_CONTENT_ENCODING', 'HTTP_X_AMZ_DECODED_CONTENT_LENGTH',
                  'HTTP_X_AMZ_CONTENT_SHA256'):
            if k in env:
                stash[k] = env.pop(k)
        rest = [t for t in stash.get('HTTP_CONTENT_ENCODING', '').split(',')
                if t.strip() and t.strip().lower() != 'aws-chunked']
        if rest:
            env['HTTP_CONTENT_ENCODING'] = ','.join(rest)
    if (env.get('REQUEST_METHOD') == 'PUT' and
            env.get('HTTP_IF_NONE_MATCH', '').strip() == '*'):
        stash['HTTP_IF_NONE_MATCH'] = env.pop('HTTP_IF_NONE_MATCH')
    try:
        return _orig_validate(self)
    finally:
        env.update(stash)  # signed headers must be back for string_to_sign


def __init__(self, env, *args, **kwargs):
    chunked = _has_aws_chunked(env) and env.get('REQUEST_METHOD') == 'PUT'
    _orig_init(self, env, *args, **kwargs)
    if not chunked:
        return
    try:
        decoded = int(env['HTTP_X_AMZ_DECODED_CONTENT_LENGTH'])
    except (KeyError, ValueError):
        raise InvalidRequest('Missing or invalid x-amz-decoded-content-length')
    raw = env['wsgi.input']
    if isinstance(raw, _s3r.HashingInput):  # hash of the *encoded* body
        raw = raw._input
    env['wsgi.input'] = AwsChunkedReader(
        raw, decoded, env.get('HTTP_X_AMZ_TRAILER', ''))
    env['CONTENT_LENGTH'] = str(decoded)
    env.pop('HTTP_TRANSFER_ENCODING', None)
    env.pop('HTTP_X_AMZ_DECODED_CONTENT_LENGTH', None)
    env.pop('HTTP_X_AMZ_TRAILER', None)
    rest = [t for t in env.get('HTTP_CONTENT_ENCODING', '').split(',')
            if t.strip() and t.strip().lower() != 'aws-chunked']
    if rest:
        env['HTTP_CONTENT_ENCODING'] = ','.join(rest)
    else:
        env.pop('HTTP_CONTENT_ENCODING', None)


def check_md5(self, body):
    env = self.environ
    if 'HTTP_CONTENT_MD5' in env:
        return _orig_check_md5(self, body)
    sums = {k[5:].lower().replace('_', '-'): v for k, v in env.items()
            if k.startswith('HTTP_X_AMZ_CHECKSUM_')}
    if not sums:
        raise InvalidRequest('Missing required header for this request: '
                             'Content-MD5 or x-amz-checksum-*')
    for name, want in sums.items():
        algo = _ALGOS.get(name)
        if algo is None:
            continue  # crc32c / crc64nvme: not verifiable with stdlib
        h = algo()
        h.update(body)
        if base64.b64encode(h.digest()).decode('ascii') != want.strip():
            raise BadDigest('The %s you specified did not match the '
                            'calculated checksum.' % name)


def filter_factory(global_conf, **local_conf):
    # patch only when the s3compat filter is in the pipeline
    if _S3Request.check_md5 is not check_md5:
        _S3Request._validate_headers = _validate_headers
        _S3Request.__init__ = __init__
        _S3Request.check_md5 = check_md5
    return lambda app: app


class LocalCache(object):
    """Dict-backed subset of swift.common.memcached.MemcacheRing."""

    def __init__(self, max_items=100000):
        self._d = {}
        self._lock = threading.Lock()
        self._max = max_items

    @staticmethod
    def _exp(t):
        t = float(t or 0)
        if t <= 0:
            return None
        return t if t > 30 * 24 * 3600 else _time.time() + t

    def _get(self, key):
        item = self._d.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] < _time.time():
            self._d.pop(key, None)
            return None
        return item

    def set(self, key, value, serialize=True, time=0, min_compress_len=0,
            raise_on_error=False, **kwargs):
        with self._lock:
            if len(self._d) >= self._max:
                self._d.clear()
            self._d[key] = (json.dumps(value) if serialize else value,
                            self._exp(time), serialize)

    def get(self, key, raise_on_error=False, **kwargs):
        with self._lock:
            item = self._get(key)
        if item is None:
            return None
        return json.loads(item[0]) if item[2] else item[0]

    def incr(self, key, delta=1, time=0, **kwargs):
        with self._lock:
            item = self._get(key)
            cur = int(json.loads(item[0]) if item and item[2] else
                      (item[0] if item else 0))
            val = max(0, cur + int(delta))
            self._d[key] = (json.dumps(val), item[1] if item else
                            self._exp(time), True)
            return val

    def decr(self, key, delta=1, time=0, **kwargs):
        return self.incr(key, -int(delta), time)

    def delete(self, key, server_key=None, **kwargs):
        with self._lock:
            self._d.pop(key, None)

    def set_multi(self, mapping, server_key, serialize=True, time=0,
                  min_compress_len=0, **kwargs):
        for k, v in mapping.items():
            self.set(k, v, serialize=serialize, time=time)

    def get_multi(self, keys, server_key, **kwargs):
        return [self.get(k) for k in keys]


def localcache_filter_factory(global_conf, **local_conf):
    cache = LocalCache()

    def make(app):
        def mw(env, start_response):
            env['swift.cache'] = cache
            return app(env, start_response)
        return mw
    return make
