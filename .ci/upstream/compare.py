"""Lists the upstream tests that pass on Chainer and not on ours (see run.sh).

usage: python .ci/upstream/compare.py oracle.xml ours.xml [errors-per-module]
Test ids are compared after removing what varies between runs and NumPy versions
(object addresses, random array contents, NumPy 2's scalar reprs).
"""
import collections
import re
import sys
import xml.etree.ElementTree as ET


def normalize(test_id: str) -> str:
    test_id = re.sub(r'0x[0-9a-f]+', '0x', test_id)
    for _ in range(3):
        test_id = re.sub(r'np\.(?:u?int|float|bool|complex|str)\w*\(([^()]*)\)', r'\1', test_id)
    test_id = re.sub(r'\bbool_\b', 'bool', test_id)
    test_id = re.sub(r'<function \S+ at 0x>', '<function>', test_id)
    return re.sub(r'array\((?:[^()]|\([^()]*\))*\)', 'array()', test_id)


def root_error(text: str) -> str:
    lines = [line[4:].strip() for line in (text or '').splitlines() if line.startswith('E   ')]
    errors = [line for line in lines
              if re.match(r'^[\w.]*(Error|Exception|Warning|InvalidType|Failed)\b', line)
              and 'Parameterized test failed' not in line]
    return errors[-1] if errors else (lines[-1] if lines else '')


def outcomes(path: str) -> dict[str, tuple[str, str]]:
    result = {}
    for case in ET.parse(path).getroot().iter('testcase'):
        test_id = normalize(f"{case.get('classname', '')}::{case.get('name', '')}")
        state, message = 'passed', ''
        for child in case:
            if child.tag in ('failure', 'error', 'skipped'):
                state = child.tag
                message = root_error(child.text) if child.tag != 'skipped' else ''
                break
        result[test_id] = (state, message)
    return result


def module(test_id: str) -> str:
    parts = test_id.split('::')[0].split('.')
    for i, part in enumerate(parts):
        if part.startswith('test_'):
            return '.'.join(parts[:i + 1])
    return parts[0]


def main() -> None:
    oracle, ours = outcomes(sys.argv[1]), outcomes(sys.argv[2])
    per_module = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ran = {module(t) for t in ours}
    differing = collections.defaultdict(list)
    for test_id, (state, _) in oracle.items():
        if state != 'passed' or module(test_id) not in ran:
            continue
        mine = ours.get(test_id, ('not collected', ''))
        if mine[0] != 'passed':
            differing[module(test_id)].append(f'{mine[0]}: {mine[1]}'[:160])
    for name, count in (('oracle', collections.Counter(s for s, _ in oracle.values())),
                        ('ours', collections.Counter(s for s, _ in ours.values()))):
        print(name, dict(count))
    print('pass on the oracle, not on ours:', sum(map(len, differing.values())))
    for name, items in sorted(differing.items(), key=lambda kv: -len(kv[1])):
        print(f'{len(items):6d} {name}')
        for message, count in collections.Counter(items).most_common(per_module):
            print(f'         ({count}) {message}')


if __name__ == '__main__':
    main()
