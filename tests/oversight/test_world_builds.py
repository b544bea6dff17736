def test_the_named_world_builds_with_line_management(world):
    assert world.sw.supervisor == world.tm
    assert world.riverside.manager == world.tm
    assert world.safeguarding.group_manager == world.gm
