"""villages: councils, relocation projects and their phases

Revision ID: d7c2b3c4d5e6
Revises: d7a1b2c3d4e5
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd7c2b3c4d5e6'
down_revision = 'd7a1b2c3d4e5'
branch_labels = None
depends_on = None


TENANT_TABLES = ('relocation_projects', 'project_phases', 'councils', 'council_members', 'case_links')


def upgrade():
    op.create_table('relocation_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('households >= 0', name=op.f('ck_relocation_projects_households_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_relocation_projects_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_relocation_projects_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relocation_projects')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_relocation_projects_tenant_id_name'))
    )
    with op.batch_alter_table('relocation_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relocation_projects_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relocation_projects_village_id'), ['village_id'], unique=False)

    op.create_table('project_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('site_selection', 'planning', 'construction', 'quality', 'acceptance', name='phase', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', name='phasestatus', native_enum=False, length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['relocation_projects.id'], name=op.f('fk_project_phases_project_id_relocation_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_phases_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_project_phases_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_phases')),
    sa.UniqueConstraint('project_id', 'phase', name=op.f('uq_project_phases_project_id_phase'))
    )
    with op.batch_alter_table('project_phases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_phases_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_phases_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('councils',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('forming', 'active', name='councilstatus', native_enum=False, length=20), nullable=False),
    sa.Column('formed_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(group_id IS NULL) <> (project_id IS NULL)', name=op.f('ck_councils_group_or_project')),
    sa.ForeignKeyConstraint(['group_id'], ['villager_groups.id'], name=op.f('fk_councils_group_id_villager_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['relocation_projects.id'], name=op.f('fk_councils_project_id_relocation_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_councils_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_councils')),
    sa.UniqueConstraint('group_id', name=op.f('uq_councils_group_id')),
    sa.UniqueConstraint('project_id', name=op.f('uq_councils_project_id'))
    )
    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_councils_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('council_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('role', sa.Enum('chair', 'vice_chair', 'member', name='councilrole', native_enum=False, length=20), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('added_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['councils.id'], name=op.f('fk_council_members_council_id_councils'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_council_members_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_members'))
    )
    with op.batch_alter_table('council_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_members_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_members_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reporting_council_id', sa.Integer(), nullable=True),
    sa.Column('handling_council_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_links_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handling_council_id'], ['councils.id'], name=op.f('fk_case_links_handling_council_id_councils')),
    sa.ForeignKeyConstraint(['project_id'], ['relocation_projects.id'], name=op.f('fk_case_links_project_id_relocation_projects')),
    sa.ForeignKeyConstraint(['reporting_council_id'], ['councils.id'], name=op.f('fk_case_links_reporting_council_id_councils')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_case_links_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_links_case_id'))
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_links_handling_council_id'), ['handling_council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_reporting_council_id'), ['reporting_council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_tenant_id'), ['tenant_id'], unique=False)

    for table in TENANT_TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TENANT_TABLES):
        rls.disable(op, table)
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
