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

from setuptools import find_packages, setup

setup(
    name='ocx_swift',
    version='0.1.0',
    description='Open Cloud eXchange for OpenStack Swift: one object '
                'namespace over several landlords\' Swift clusters',
    long_description=open('README.rst', encoding='utf-8').read(),
    long_description_content_type='text/x-rst',
    license='Apache-2.0',
    python_requires='>=3.9',
    packages=find_packages(exclude=['tests', 'tests.*', 'bench']),
    install_requires=[
        'swift>=2.38,<2.39',
        'eventlet',
        'keystonemiddleware',
        'python-swiftclient',
        'urllib3>=2',
        'xxhash>=3',
        'cryptography>=3.1',
        'pyeclib>=1.3.1',
        'numpy',
        'tqdm',
    ],
    extras_require={
        'test': ['pytest', 'boto3', 'tox', 'flake8', 'readme_renderer'],
    },
    entry_points={
        'paste.filter_factory': [
            'ocx = ocx_swift.middleware:filter_factory',
            'ocx_s3location = ocx_swift.s3location:filter_factory',
        ],
        'console_scripts': [
            'ocx-aio = ocx_swift.aio.cli:main',
            'ocx-ring-builder = ocx_swift.cli.ringbuilder:error_handling_main',
            'ocx-mover = ocx_swift.mover.cli:error_handling_main',
            'ocx-index = ocx_swift.cli.index:error_handling_main',
            'ocx-repair = ocx_swift.repair.cli:error_handling_main',
        ],
    },
    classifiers=[
        'Environment :: OpenStack',
        'License :: OSI Approved :: Apache Software License',
        'Programming Language :: Python :: 3',
    ],
)
